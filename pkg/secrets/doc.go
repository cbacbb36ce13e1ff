// Package secrets finds literal credentials in an agent release and
// inventories the secret references it makes, without ever letting a
// secret value out of the scanner.
//
// The scanner walks one or more roots on all cores (the root's own .git
// is left out; a .git deeper down ships with the artefact and is
// scanned). Every file is read through a bounded window (large files
// stream with an overlap, so a 2 GB single-line file costs a few MiB; the
// holes of sparse files are not read). Structured formats are parsed: the
// JSON header of safetensors files, the string metadata of GGUF files,
// zip and tar archives (every member type, PAX records too), gzip, bzip2,
// xz, zstd and zlib streams, git packs and PDFs (their zlib streams),
// Jupyter notebooks (cell sources and outputs) and PKCS#12 stores, within
// depth, size, member and expansion-ratio limits. Text in UTF-16 or UTF-32
// is transcoded; other binary files yield their printable strings. A file
// that cannot be read completely (an archive format the scanner cannot
// open, an encrypted member, a truncated stream, a bomb) is reported as a
// Problem, and the secret-inventory check fails closed on it.
//
// One normalisation layer feeds every detector: each piece of text is
// scanned as written and through its decoded views (see normalise.go):
// lines holding escapes (JSON, YAML, C-style, percent-encoding, HTML
// references, line continuations) decoded, and base64 and hex runs
// anywhere decoded, nested up to three levels.
//
// Detection is by structure rather than entropy: a small set of anchors
// (sk-, AKIA, ghp_, -----BEGIN, eyJ, ...) is searched with bytes.Index and
// only a hit runs its detector, which checks what the format allows
// offline (GitHub and npm CRC32 checksums, the AWS key-id alphabet and
// account, JWT headers with alg, PEM bodies that parse as private keys,
// OpenAI's T3BlbkFJ marker, fixed lengths and alphabets). Generic
// key/secret/token/password assignments come from key/value pairs parsed
// out of JSON, YAML, TOML, .env, INI, shell and source lines (from the
// key, far into long lines too); a key names a secret by its words
// (SHARED_SECRET yes, secret_name no); placeholders, references and
// documented examples are dropped.
//
// Findings carry the rule, the location, a keyed fingerprint
// (HMAC-SHA-256 of the value under a per-project key) and at most a
// 4-character hint taken from the credential's public prefix. The value
// itself is never stored in a Finding, an error, a log line or a report;
// a path that holds a credential (a file named after a token) is
// reported masked, and a credential written where a reference name
// belongs ("${ghp_...}") is never inventoried as a reference.
//
// Mask runs the same detectors over one string and replaces what they
// find (and URL userinfo) with a marker: it is the redact.Masker that
// other packages apply to every value they print or record.
//
// A large artefact is scanned in parts, in parallel pods: WithPart(i, n)
// makes a scanner that walks the whole root but reads, and reports, only
// part i of its entries (files, links, unscannable entries), shared out by
// the hash partitioner's rule (artifact.Plan), so each walk problem belongs
// to exactly one part. ScanPart seals the part (HMAC under a key derived
// from the fingerprint key); Merge verifies and joins the parts into the
// Result one scan gives, and refuses parts that are missing, duplicated,
// altered or that disagree (count, version, rules, limits, walk).
//
// Check runs the secret-inventory step: it scans the artefact, compares
// the references with the review record, applies exceptions by
// fingerprint and returns the evidence report; SARIF renders findings as
// SARIF 2.1.0.
package secrets
