// Package archive packs a directory tree into a deterministic tar stream and
// extracts such a stream safely.
//
// Write emits regular files and directories only, sorted by path, with zero
// modification times, uid and gid 0, no user or group names, and modes
// reduced to 0644, 0755 (files with an execute bit) and 0755 (directories):
// the same tree always gives the same bytes. Symbolic links, hard links,
// devices, FIFOs, sockets and names that are not valid UTF-8 are refused
// with an error naming the path.
//
// Extract is the reader for untrusted streams (a release candidate pulled
// from a registry). It accepts regular files and directories only; refuses
// absolute names, "..", links of any kind, devices, FIFOs, duplicate
// members and names that are not valid UTF-8; bounds the total size, the
// member count, the name length and the depth; sanitises modes the same way
// Write does (no setuid, setgid or sticky bits, no group or world write);
// and writes through an os.Root, so nothing lands outside the destination.
package archive
