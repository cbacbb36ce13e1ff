package artifact

// LessName exposes the model-signing ordering to the external tests.
var LessName = lessName
