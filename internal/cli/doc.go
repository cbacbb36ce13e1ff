// Package cli is the plumbing every tollgate binary shares: documented exit
// codes, the mapping from errors to them, a signal-aware context, zap
// logging (console on a terminal, JSON lines otherwise), and a progress bar
// for long work that shows only on a terminal.
package cli
