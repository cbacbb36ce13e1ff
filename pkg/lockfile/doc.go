// Package lockfile reads the package list (name → version) of dependency
// lock files: go.sum, requirements.txt (pinned ==), package-lock.json
// (v1–v3), uv.lock and poetry.lock, and diffs two lists. It reads what the
// files pin; it does not resolve anything.
package lockfile
