// Package secrets finds literal credentials in an agent release and
// inventories the secret references it makes, without ever letting a
// secret value out of the scanner.
//
// The scanner walks one or more roots on all cores. Every file is read
// through a bounded window (large files stream with an overlap, so a 2 GB
// single-line file costs a few MiB), binary files are skipped after a sniff
// except the formats where agent releases hide credentials: the JSON
// header of safetensors files, the string metadata of GGUF files, zip and
// tar archives (within depth, size and entry limits) and Jupyter notebooks
// (cell sources and outputs). A file that cannot be scanned is reported as
// a Problem, and the secret-inventory check fails closed on it.
//
// Detection is by structure rather than entropy: a small set of anchors
// (sk-, AKIA, ghp_, -----BEGIN, eyJ, ...) is searched with bytes.Index and
// only a hit runs its detector, which checks what the format allows
// offline (GitHub and npm CRC32 checksums, the AWS key-id alphabet and
// account, JWT headers with alg, PEM bodies that parse as private keys,
// OpenAI's T3BlbkFJ marker, fixed lengths and alphabets). Generic
// key/secret/token/password assignments come from key/value pairs parsed
// out of JSON, YAML, TOML, .env, INI and source lines; placeholders,
// references and documented examples are dropped. Values that are base64
// or URL encoded are decoded and rescanned to a bounded depth.
//
// Findings carry the rule, the location, a keyed fingerprint
// (HMAC-SHA-256 of the value under a per-project key) and at most a
// 4-character hint taken from the credential's public prefix. The value
// itself is never stored in a Finding, an error, a log line or a report.
//
// Check runs the secret-inventory step: it scans the artefact, compares
// the references with the review record, applies exceptions by
// fingerprint and returns the evidence report; SARIF renders findings as
// SARIF 2.1.0.
package secrets
