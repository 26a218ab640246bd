package telemetry

import (
	"net/http"
	"sync/atomic"

	"github.com/labstack/echo/v4"
)

// Route is one registered route: an HTTP method and Echo's path template
// (e.g. "/api/sessions/:id").
type Route struct {
	Method string
	Path   string
}

// UnmatchedRoute is the route label of every request whose (method, path
// template) was not registered: 404s, 405s, routes nobody told us about. One
// label value keeps the Prometheus cardinality bounded whatever clients send.
const UnmatchedRoute = "unmatched"

// EchoRoutes lists the routes registered on e, to hand to NewRecorder or
// Recorder.Register once every route is added. Echo's internal 404 routes
// are left out (they count as UnmatchedRoute).
func EchoRoutes(e *echo.Echo) []Route {
	var routes []Route
	for _, r := range e.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		routes = append(routes, Route{Method: r.Method, Path: r.Path})
	}
	return routes
}

// TimedRoutes lists the routes of e that Middleware with skip (nil means
// DefaultSkipper) times, to register: each of them is exported at zero from
// the start, the others not at all. skip is asked about each route's
// template, which is right for a skipper that goes by path prefix.
func TimedRoutes(e *echo.Echo, skip func(path string) bool) []Route {
	if skip == nil {
		skip = DefaultSkipper
	}
	var routes []Route
	for _, r := range EchoRoutes(e) {
		if !skip(r.Path) {
			routes = append(routes, r)
		}
	}
	return routes
}

// Methods are told apart by a fixed index so the hot path needs no string
// concatenation: a switch on the method, then one map lookup on the path.
const (
	methodGet = iota
	methodHead
	methodPost
	methodPut
	methodPatch
	methodDelete
	methodConnect
	methodOptions
	methodTrace
	methodOther // any non-standard method, so clients cannot inflate labels
	numMethods
)

var methodLabels = [numMethods]string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "OTHER"}

func methodIndex(m string) int {
	switch m {
	case http.MethodGet:
		return methodGet
	case http.MethodHead:
		return methodHead
	case http.MethodPost:
		return methodPost
	case http.MethodPut:
		return methodPut
	case http.MethodPatch:
		return methodPatch
	case http.MethodDelete:
		return methodDelete
	case http.MethodConnect:
		return methodConnect
	case http.MethodOptions:
		return methodOptions
	case http.MethodTrace:
		return methodTrace
	}
	return methodOther
}

// Status classes. 1xx (protocol upgrades) count as 2xx: they are not errors.
const (
	class2xx = iota
	class3xx
	class4xx
	class5xx
	numClasses
)

var classLabels = [numClasses]string{"2xx", "3xx", "4xx", "5xx"}

// canceledLabel is the status_class of requests the client abandoned before
// the response was written; they are exported as a count only.
const canceledLabel = "canceled"

func statusClass(status int) int {
	switch {
	case status >= 500:
		return class5xx
	case status >= 400:
		return class4xx
	case status >= 300:
		return class3xx
	}
	return class2xx
}

// classStats are the cumulative counters of one route × method × class.
type classStats struct {
	latencyCounters
}

// routeStats are the cumulative counters of one route × method, kept for the
// whole process lifetime (Prometheus counters never reset).
type routeStats struct {
	route, method string // labels
	classes       [numClasses]classStats
	canceled      atomic.Uint64
}

// routeTable is immutable once published: Register builds a new one, so the
// hot path reads it through one atomic pointer load without locking.
type routeTable struct {
	layout    *bucketLayout
	byMethod  [numMethods]map[string]*routeStats
	unmatched [numMethods]*routeStats
	all       []*routeStats // registration order, then unmatched: the export order
}

func newRouteTable(layout *bucketLayout) *routeTable {
	t := &routeTable{layout: layout}
	for m := range numMethods {
		t.unmatched[m] = newRouteStats(UnmatchedRoute, methodLabels[m], layout)
	}
	return t
}

func newRouteStats(route, method string, layout *bucketLayout) *routeStats {
	rs := &routeStats{route: route, method: method}
	for i := range rs.classes {
		rs.classes[i].latencyCounters = newLatencyCounters(layout)
	}
	return rs
}

// with returns a copy of t that also holds routes; existing entries keep
// their counters.
func (t *routeTable) with(routes []Route) *routeTable {
	n := &routeTable{layout: t.layout, unmatched: t.unmatched}
	for m, paths := range t.byMethod {
		if paths != nil {
			n.byMethod[m] = make(map[string]*routeStats, len(paths))
			for p, rs := range paths {
				n.byMethod[m][p] = rs
			}
		}
	}
	n.all = make([]*routeStats, 0, len(t.all)+len(routes))
	for _, rs := range t.all {
		if rs.route != UnmatchedRoute {
			n.all = append(n.all, rs)
		}
	}
	for _, r := range routes {
		if r.Method == echo.RouteNotFound || r.Path == "" {
			continue
		}
		m := methodIndex(r.Method)
		if n.byMethod[m] == nil {
			n.byMethod[m] = make(map[string]*routeStats)
		}
		if _, ok := n.byMethod[m][r.Path]; ok {
			continue
		}
		rs := newRouteStats(r.Path, methodLabels[m], n.layout)
		n.byMethod[m][r.Path] = rs
		n.all = append(n.all, rs)
	}
	n.all = append(n.all, n.unmatched[:]...)
	return n
}

// lookup finds the stats of a request without allocating.
func (t *routeTable) lookup(route, method string) *routeStats {
	m := methodIndex(method)
	if rs, ok := t.byMethod[m][route]; ok {
		return rs
	}
	return t.unmatched[m]
}
