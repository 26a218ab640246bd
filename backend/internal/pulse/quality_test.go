package pulse_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"pulse/internal/pulse"
)

func TestClassify(t *testing.T) {
	cases := []struct {
		sum, count int
		want       pulse.Quality
	}{
		{0, 0, ""},
		{4, 1, pulse.QualityExcellent},
		{7, 2, pulse.QualityExcellent}, // 3.5 exactly
		{10, 3, pulse.QualityGood},     // 3.33
		{5, 2, pulse.QualityGood},      // 2.5 exactly
		{7, 3, pulse.QualityFair},      // 2.33
		{3, 2, pulse.QualityFair},      // 1.5 exactly
		{4, 3, pulse.QualityPoor},      // 1.33
		{1, 1, pulse.QualityPoor},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, pulse.ClassifySum(tc.sum, tc.count), "%d/%d", tc.sum, tc.count)
		if tc.count > 0 {
			assert.Equal(t, tc.want, pulse.ClassifyScore(float64(tc.sum)/float64(tc.count)), "score %d/%d", tc.sum, tc.count)
		}
	}
}

func TestQualityPercentages(t *testing.T) {
	s := pulse.SessionSummary{QualityCounts: map[pulse.Quality]int64{pulse.QualityExcellent: 1, pulse.QualityGood: 1, pulse.QualityPoor: 1}}
	assert.Equal(t, map[pulse.Quality]float64{pulse.QualityExcellent: 33.3, pulse.QualityGood: 33.3, pulse.QualityFair: 0, pulse.QualityPoor: 33.3}, s.QualityPercentages())
	empty := pulse.SessionSummary{}
	assert.Equal(t, map[pulse.Quality]float64{pulse.QualityExcellent: 0, pulse.QualityGood: 0, pulse.QualityFair: 0, pulse.QualityPoor: 0}, empty.QualityPercentages())
}

func TestParse(t *testing.T) {
	_, err := pulse.ParseQuality("superb")
	assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
	_, err = pulse.ParseRole("ROOT")
	assert.Equal(t, pulse.EINVALID, pulse.ErrorCode(err))
	r, err := pulse.ParseRole("SYSTEM_MONITOR")
	assert.NoError(t, err)
	assert.True(t, r.CanViewMetrics())
	assert.False(t, pulse.RoleContentManager.CanViewMetrics())
}
