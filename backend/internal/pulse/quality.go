package pulse

import (
	"math"
	"strings"
)

// Quality is a connection quality class.
type Quality string

const (
	QualityExcellent Quality = "excellent"
	QualityGood      Quality = "good"
	QualityFair      Quality = "fair"
	QualityPoor      Quality = "poor"
	// QualityUnknown is what the live average says when nothing was sampled.
	QualityUnknown Quality = "unknown"
)

// Qualities lists the sample classes from best to worst.
var Qualities = []Quality{QualityExcellent, QualityGood, QualityFair, QualityPoor}

// Score maps a class onto the 4..1 scale; 0 for anything else.
func (q Quality) Score() int {
	switch q {
	case QualityExcellent:
		return 4
	case QualityGood:
		return 3
	case QualityFair:
		return 2
	case QualityPoor:
		return 1
	}
	return 0
}

// ParseQuality validates a sample class.
func ParseQuality(s string) (Quality, error) {
	q := Quality(s)
	if q.Score() == 0 {
		names := make([]string, len(Qualities))
		for i, q := range Qualities {
			names[i] = string(q)
		}
		return "", Errorf(EINVALID, "unknown quality %q; allowed: %s", s, strings.Join(names, ", "))
	}
	return q, nil
}

// ClassCutoff is the lowest mean score (4..1 scale) of a class.
type ClassCutoff struct {
	Class Quality
	Min   float64
}

// classCutoffs are the story's cut-offs, best class first: >=3.5 excellent,
// >=2.5 good, >=1.5 fair, else poor. They are the one place the cut-offs
// live.
var classCutoffs = [...]ClassCutoff{{QualityExcellent, 3.5}, {QualityGood, 2.5}, {QualityFair, 1.5}}

// ClassCutoffs returns the cut-offs, best class first; a mean below the last
// one is poor. The store writes them into SQL that classes on the database.
func ClassCutoffs() []ClassCutoff {
	c := classCutoffs // a copy: callers cannot move the cut-offs
	return c[:]
}

// ClassifyScore classes a mean score on the 4..1 scale by ClassCutoffs.
func ClassifyScore(avg float64) Quality {
	for _, c := range classCutoffs {
		if avg >= c.Min {
			return c.Class
		}
	}
	return QualityPoor
}

// ClassifySum classes a running (sum, count) pair; "" when count is zero.
// The quotient of two integers is correctly rounded, so a mean exactly on a
// cut-off (7/2 = 3.5) lands on it, never a hair below.
func ClassifySum(sum, count int) Quality {
	if count <= 0 {
		return ""
	}
	return ClassifyScore(float64(sum) / float64(count))
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
