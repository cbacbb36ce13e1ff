// Package safefile reads and writes the small files tollgate trusts
// nothing about: keys, tokens, bundles, documents, reports. Read is
// bounded and refuses anything but a regular file without blocking (a
// named pipe is an error, not a hang); WriteAtomic never leaves a partial
// file behind. It imports nothing of tollgate, so every package can use it.
package safefile
