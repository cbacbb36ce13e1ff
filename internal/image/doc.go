// Package image builds the minimal container image of a step binary as an
// OCI image layout, without Docker and without a base image: one layer with
// the static binary at /usr/local/bin/<name>, /etc/passwd and /etc/group
// naming the non-root user 65532 ("nonroot"), and optionally a CA bundle;
// a config that runs the binary as 65532:65532.
//
// Builds are reproducible: tar entries are sorted with fixed timestamps,
// owners and modes, gzip carries no name or time, and every timestamp is
// SOURCE_DATE_EPOCH (or the Unix epoch). The same binary gives the same
// digest on every machine.
package image
