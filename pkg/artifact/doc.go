// Package artifact computes the identity of a release artefact: a directory
// tree hashed exactly as OpenSSF model-signing hashes a model, so that a
// model-signing bundle verifies against the same root digest.
//
// Two serializations are supported, as in model-signing:
//
//   - files: one SHA-256 per regular file, named by its slash-separated path
//     relative to the root;
//   - shards: one SHA-256 per shard "path:start:end" of at most ShardSize
//     bytes (default 1 GB); empty files have no shard.
//
// The root digest is SHA-256 over the concatenated raw digests of all
// resources, ordered by path component (then by shard offsets).
//
// Walking refuses anything that is not a regular file or directory (FIFOs,
// devices, sockets), refuses symbolic links unless allowed, never follows a
// link that leaves the root, and fails when a file changes while it is read.
// Hashing streams each resource through a fixed buffer on a bounded pool of
// workers, so memory does not grow with file size.
package artifact
