package agreement

// RuleClass says whether a lint rule speaks for the API server.
type RuleClass int

// Rule classes.
const (
	// Unclassified: a rule this package has not been told about. The suite
	// counts it as API-level (so its findings show up in the table) and
	// fails until it is classified here.
	Unclassified RuleClass = iota
	// APILevel rules predict the API server's verdict: schema, kinds,
	// decoding like kubectl, the API server's own validation, CRDs. Their
	// errors are emmdev's "reject" in the agreement suite.
	APILevel
	// Policy rules are the EMM conventions (probes, limits, sealed secrets,
	// ...): the API server accepts what they flag, so the suite switches
	// them off.
	Policy
)

func (c RuleClass) String() string {
	switch c {
	case APILevel:
		return "api-level"
	case Policy:
		return "policy"
	}
	return "unclassified"
}

// ClassOf classifies a rule ID. The lists are explicit in both directions
// so a new rule is a conscious decision, not a silent change of what
// "emmdev rejects" means.
func ClassOf(id string) RuleClass {
	switch id {
	case "schema", "unknown-kind",
		// issue 10: a file that cannot be read or parsed, or is no object
		"parse",
		// issue 9: the API server's own validation of built-in kinds
		// (i9-native) and of CRDs and custom resources (i9-crd)
		"api-validation", "crd":
		return APILevel
	case "readiness-probe", "liveness-probe", "startup-probe", "resources",
		"stateful-without-pvc", "plaintext-secret", "rolling-update-downtime",
		"image-latest", "hostpath-not-mounted", "secret-ref-missing",
		"suppression-reason":
		return Policy
	}
	return Unclassified
}
