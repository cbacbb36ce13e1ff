// Package changes builds the approver's view of a release: what changed
// since the release approved last, in the order an approver should read
// it.
//
// Compute compares the previous ReleaseReview with the new one (and, when
// both artefact directories are given, the prompt texts) and returns a
// Document: a typed list of changes, each with its section (model
// identity, weights, prompts, tool and agent configuration, deploy
// manifests, lock files, other files, permissions, secret references,
// exceptions, images), the check's finding class, severity and words, and
// whether the policy would block it without an exception. The words and
// severities are the checks' own: file, model, package and image changes
// come from provenance.Compare, permission changes from permissions.Diff,
// package changes from lockfile.Diff through it.
//
// Markdown and HTML render a Document deterministically: Markdown for
// GitHub and GitLab (tables, <details> blocks, stable anchors
// "changes-<section>"), HTML as one self-contained file with inline CSS, no
// scripts and a Content-Security-Policy that forbids every fetch. Values
// that could be secrets are masked and control characters escaped before
// anything is rendered.
package changes
