package lint

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
)

type ruleRow struct {
	ID          string `json:"id"`
	Severity    string `json:"severity"`
	Enabled     bool   `json:"enabled"`
	Description string `json:"description"`
	Remediation string `json:"remediation"`
}

// runListRules shows each rule as the active policy configures it, so
// `--policy x --list-rules` answers "what will run".
func runListRules(o *Options) error {
	wd, err := o.workDir()
	if err != nil {
		return err
	}
	reg, pol, err := loadPolicy(o, wd)
	if err != nil {
		return err
	}
	var rows []ruleRow
	for _, r := range reg.All() {
		rc := pol.Rules[r.ID]
		rows = append(rows, ruleRow{ID: r.ID, Severity: rc.Severity.String(), Enabled: rc.Enabled, Description: r.Description, Remediation: r.Remediation})
	}
	if o.Format == "json" {
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tSEVERITY\tENABLED\tDESCRIPTION")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\n", r.ID, r.Severity, r.Enabled, r.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(o.IO.Out, "\nPolicy: %s. Suppress per object with annotation emmdev.dev/ignore-<rule>: \"<reason>\".\n", pol.Source)
	return err
}
