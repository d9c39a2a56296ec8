package game

import (
	"fmt"
	"regexp"
	"slices"
)

// Catalog is a set of named presets: the built-in ones and any that a host
// program adds. The zero value is not usable; use NewCatalog.
type Catalog struct {
	presets []Rules
}

// presetName is what a preset may be called: it goes into URLs, JSON and
// the database, and is typed by people.
var presetName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// NewCatalog returns the built-in presets plus extra ones, each named by
// its Preset field and validated like any rules. A name must be new: a
// host cannot redefine "classic" under players who know it. "custom" is
// taken too: it names rules that match no preset.
func NewCatalog(extra ...Rules) (*Catalog, error) {
	c := &Catalog{presets: slices.Clone(presets)}
	for _, r := range extra {
		switch {
		case !presetName.MatchString(r.Preset):
			return nil, fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "preset name %q: use 1 to 32 lower-case letters, digits, - or _, starting with a letter", r.Preset))
		case r.Preset == "custom":
			return nil, fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "preset name %q is reserved", r.Preset))
		}
		if _, ok := c.Preset(r.Preset); ok {
			return nil, fmt.Errorf("game: %w", Errorf(ErrInvalidRules, "preset %q exists already", r.Preset))
		}
		if err := r.Validate(); err != nil {
			return nil, fmt.Errorf("game: preset %q: %w", r.Preset, err)
		}
		c.presets = append(c.presets, r)
	}
	return c, nil
}

// builtin is the catalog of the built-in presets alone, behind Preset,
// Presets and Rules.Named.
var builtin = &Catalog{presets: presets}

// Builtin returns the catalog of the built-in presets alone.
func Builtin() *Catalog { return builtin }

// Preset returns the preset of that name.
func (c *Catalog) Preset(name string) (Rules, bool) {
	for _, p := range c.presets {
		if p.Preset == name {
			return p, true
		}
	}
	return Rules{}, false
}

// All returns every preset, the built-in ones first, in a stable order.
func (c *Catalog) All() []Rules { return slices.Clone(c.presets) }

// Names returns the presets' names, in the order of All.
func (c *Catalog) Names() []string {
	names := make([]string, len(c.presets))
	for i, p := range c.presets {
		names[i] = p.Preset
	}
	return names
}

// Named returns r with Preset set to the name of the preset it equals, or
// to "custom" when it equals none. Overriding a preset's field makes
// custom rules, so a listing never claims "classic" for a 30x30 board.
func (c *Catalog) Named(r Rules) Rules {
	for _, p := range c.presets {
		q := r
		q.Preset = p.Preset
		if q == p {
			return q
		}
	}
	r.Preset = "custom"
	return r
}
