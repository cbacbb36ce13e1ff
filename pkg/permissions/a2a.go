package permissions

import (
	"fmt"
	"sort"
	"strings"
)

// skill is the reviewable content of an A2A AgentCard skill.
type skill struct {
	Name        string   `json:"name,omitempty"`
	Description string   `json:"description"`
	Tags        []string `json:"tags,omitempty"`
	Examples    []string `json:"examples,omitempty"`
	InputModes  []string `json:"inputModes,omitempty"`
	OutputModes []string `json:"outputModes,omitempty"`
}

// agentCard reads an A2A AgentCard: one grant per skill, one per security
// requirement alternative (any one of them admits a caller; none, or an
// empty one, admits anyone), one per security scheme, and push
// notifications (the agent calls back to caller-given URLs).
func (s *scanner) agentCard(rel string, m map[string]any) error {
	for i, raw := range arr(m["skills"]) {
		o := obj(raw)
		id := str(o["id"])
		if id == "" {
			return fmt.Errorf("%w: skills[%d] needs an id", ErrInvalid, i)
		}
		if len(str(o["description"])) > MaxDescription {
			return fmt.Errorf("%w: skills[%d] (%s): description is more than %d bytes", ErrInvalid, i, id, MaxDescription)
		}
		sk := skill{Name: str(o["name"]), Description: str(o["description"])}
		var err error
		for _, f := range []struct {
			key string
			dst *[]string
		}{{"tags", &sk.Tags}, {"examples", &sk.Examples}, {"inputModes", &sk.InputModes}, {"outputModes", &sk.OutputModes}} {
			if *f.dst, err = strs(o[f.key], fmt.Sprintf("skills[%d].%s", i, f.key)); err != nil {
				return err
			}
		}
		if err := s.add(Grant{Surface: SurfaceA2A, Subject: "skill " + id, Action: "serve", Effect: Allow, Path: rel, Content: content(sk)}); err != nil {
			return err
		}
	}
	schemes := obj(m["securitySchemes"])
	for _, name := range keys(schemes) {
		if err := s.add(Grant{Surface: SurfaceA2A, Subject: "scheme " + name, Action: "define", Effect: Allow, Path: rel, Content: content(schemes[name])}); err != nil {
			return err
		}
	}
	reqs := arr(m["security"])
	alternatives := make([]string, 0, len(reqs))
	for i, r := range reqs {
		o := obj(r)
		if o == nil {
			return fmt.Errorf("%w: security[%d] must be an object", ErrInvalid, i)
		}
		var parts []string
		for _, k := range keys(o) {
			scopes, err := strs(o[k], fmt.Sprintf("security[%d].%s", i, k))
			if err != nil {
				return err
			}
			sort.Strings(scopes)
			parts = append(parts, k+"["+strings.Join(scopes, " ")+"]")
		}
		alternatives = append(alternatives, strings.Join(parts, " + "))
	}
	if len(alternatives) == 0 {
		alternatives = []string{""}
	}
	for _, a := range alternatives {
		subject := "caller authenticated by " + a
		if a == "" {
			subject = "anonymous caller"
		}
		if err := s.add(Grant{Surface: SurfaceA2A, Subject: subject, Action: "invoke", Effect: Allow, Path: rel}); err != nil {
			return err
		}
	}
	if push, _ := boolean(lookup(m, "capabilities.pushNotifications")); push {
		if err := s.add(Grant{Surface: SurfaceNetwork, Subject: "*", Action: "egress", Effect: Allow, Path: rel,
			Content: content(map[string]string{"via": "a2a push notifications to caller-given URLs"})}); err != nil {
			return err
		}
	}
	return nil
}
