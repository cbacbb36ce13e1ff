// Package digest is the one content digest type tollgate passes around:
// an algorithm and its lowercase hex value, spelled "sha256:<hex>" as OCI,
// in-toto and the results contract spell it. go-containerregistry's
// v1.Hash is the model.
//
// A Digest is validated when it is made (Parse, ParseSHA256, New, FromBytes),
// so code that holds one never checks it again; its zero value means "no
// digest" and is what an invalid value never becomes silently. It encodes
// as its string in JSON and YAML, so the serialised forms (results,
// reports, predicates, review records) are unchanged.
package digest
