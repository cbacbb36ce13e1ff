// Package redact keeps secret values and terminal control sequences out of
// text meant for people and records.
//
// Escape makes a name or value safe to print: control characters (C0, DEL,
// C1), line and paragraph separators, bidirectional controls and other
// invisible format characters, and invalid UTF-8 are written as Go-style
// escapes, so a file name holding "\x1b[31m" or "\nlevel=info" can neither
// colour a terminal nor forge a log line. Userinfo strips the user and
// password of every URL in a string. A Masker replaces the credentials a
// detector finds in a string with a marker naming the detector; package
// secrets provides the one tollgate uses, so that every value printed or
// recorded passes through the same detectors as the artefact's files.
package redact
