// Package audit maps finding classes to the controls of the frameworks an
// auditor reads a release decision against: the OWASP Top 10 for Agentic
// Applications (ASI02 tool misuse, ASI03 identity and privilege abuse, ASI04
// agentic supply chain, ASI05 unexpected code execution), OWASP LLM06
// excessive agency, NIST AI RMF MANAGE 1.1 and 1.3, and the CSA MAESTRO
// layer the finding sits in. The mapping is keyed by class prefix, so a new
// class of an existing check inherits its check's controls; an unknown class
// still maps to the go/no-go control, never to nothing.
package audit
