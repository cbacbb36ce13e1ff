// Package taskbundle writes Tekton bundles: OCI images holding Tekton
// objects, one per layer, that a Pipeline references through the bundles
// resolver at a digest (taskRef.resolver: bundles). Each layer is a tar
// holding one object, annotated dev.tekton.image.apiVersion, .kind
// (lower-case, singular) and .name, the format Tekton's bundle resolver
// reads. A Task resolved that way cannot be swapped by anyone who can
// update Tasks in the namespace: the Pipeline names its digest.
package taskbundle
