package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/coalmap/coalmap/layers"
	"github.com/coalmap/coalmap/overlaps"
)

// OGC API – Processes – Part 1: Core (OGC 18-062r2): the overlap check, the
// reroute, the route planner and the layer-against-layer run as processes, executed
// synchronously or as jobs (handle_jobs.go) whose state lives in the
// database. Checks, reroutes and routes run as jobs of overlaps.Jobs; a
// layer-against-layer run is an overlap run (overlaps.Runs), its job id
// "run-<id>".

// processesConformance are the classes the processes routes implement.
var processesConformance = []string{
	"http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/ogc-process-description",
	"http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/json",
	"http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/oas30",
	"http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/job-list",
	"http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/dismiss",
}

// Link relations and exception types of OGC API – Processes.
const (
	relProcesses = "http://www.opengis.net/def/rel/ogc/1.0/processes"
	relJobList   = "http://www.opengis.net/def/rel/ogc/1.0/job-list"
	relExecute   = "http://www.opengis.net/def/rel/ogc/1.0/execute"
	relResults   = "http://www.opengis.net/def/rel/ogc/1.0/results"

	excNoSuchProcess  = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-process"
	excNoSuchJob      = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/no-such-job"
	excResultNotReady = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/result-not-ready"
)

// ProcessJobs is what the processes routes need of the job runner.
type ProcessJobs interface {
	Start(ctx context.Context, spec overlaps.JobSpec, fn overlaps.JobFunc) (*overlaps.JobInfo, error)
	Get(ctx context.Context, id string) (*overlaps.JobInfo, error)
	Result(ctx context.Context, id string) (result, failure json.RawMessage, err error)
	List(ctx context.Context, limit int) ([]overlaps.JobInfo, error)
	Dismiss(ctx context.Context, id string) error
}

// processesMounted reports whether the processes routes are served.
func (s *Server) processesMounted() bool { return s.deps.Overlaps != nil && s.deps.Catalog != nil }

func (s *Server) routesProcesses(r chi.Router) {
	if !s.processesMounted() {
		return
	}
	r.Get("/processes", s.handleProcesses)
	r.Get("/processes/{process}", s.handleProcess)
	r.Post("/processes/{process}/execution", s.handleExecute)
	r.Get("/jobs", s.handleJobs)
	r.Get("/jobs/{job}", s.handleJob)
	r.Delete("/jobs/{job}", s.handleDismiss)
	r.Get("/jobs/{job}/results", s.handleJobResults)
}

// processInput describes one input of a process.
type processInput struct {
	id, title, description string
	schema                 obj
	required               bool
}

// process is one process of the service: its description and how its
// inputs become a computation.
type process struct {
	id, title, description string
	keywords               []string
	inputs                 []processInput
	// output is the id of the process's one output, with its schema.
	output       string
	outputTitle  string
	outputSchema obj
	sync, async  bool
	// write says the process needs an editor token (it keeps its results).
	write bool
	// prepare reads the inputs; it returns the layers the computation reads
	// and the computation. Processes run as overlap runs leave run nil.
	prepare func(s *Server, r *http.Request, in inputs) ([]string, overlaps.JobFunc, error)
}

// processVersion is the version of every process's description.
const processVersion = "1.0.0"

// processes are the processes served, in the order they are listed.
func (s *Server) processes() []*process {
	corridorInputs := []processInput{
		{id: "row_width_m", title: "Right-of-way width (m)", description: "The corridor is the alignment buffered by half of it.",
			schema: obj{"type": "number", "exclusiveMinimum": 0}},
		{id: "voltage_kv", title: "Voltage (kV)", description: "A transmission voltage of the corridor table (GET /overlaps/corridors).",
			schema: obj{"type": "integer", "minimum": 1}},
		{id: "circuit", title: "Circuit", description: "The circuit configuration, for voltages with several widths (765 kV: sc-delta, the default, dc, sc-horizontal).",
			schema: obj{"type": "string"}},
		{id: "rail", title: "Railway", description: "The railway planning width (46 m).", schema: obj{"type": "boolean"}},
		{id: "clearance_m", title: "Clearance (m)", description: "Polygons not crossed but within this distance are near-misses; reroutes keep it.",
			schema: obj{"type": "number", "minimum": 0, "default": 0}},
	}
	alignment := processInput{id: "alignment", title: "Alignment", required: true,
		description: "GeoJSON LineString or MultiLineString, Feature or FeatureCollection (CRS84), or a KML document as a string; " +
			"or a qualified value {\"value\": …, \"mediaType\": …}.",
		schema: obj{"oneOf": []obj{{"type": "object", "contentMediaType": mediaGeoJSON}, {"type": "string", "contentMediaType": "application/vnd.google-earth.kml+xml"}}}}
	against := processInput{id: "against", title: "Polygon layers", description: "The polygon layers to check against (default coal_blocks).",
		schema: obj{"type": "array", "items": obj{"type": "string"}, "default": []string{"coal_blocks"}}}
	return []*process{
		{id: "overlap-check", title: "Overlap check",
			description: "Every polygon of the chosen layers that the alignments cross: length inside (geodesic), crossings, entry and exit points " +
				"with chainage, corridor area inside, shares of the alignment and of the polygon, and the near-misses within the clearance. " +
				"The answer of POST /overlaps/check.",
			keywords: []string{"overlap", "coal blocks", "right of way"}, inputs: append([]processInput{alignment, against}, corridorInputs...),
			output: "report", outputTitle: "The overlap report", outputSchema: obj{"type": "object", "contentMediaType": mediaJSON},
			sync: true, async: true, prepare: prepareCheck},
		{id: "reroute", title: "Alternative alignment",
			description: "For one alignment, an alternative that keeps its corridor (half the right of way plus the clearance) out of every polygon " +
				"of the chosen layers, its added length, and its check. The answer of POST /overlaps/reroute.",
			keywords: []string{"reroute", "alternative alignment"}, inputs: append([]processInput{alignment, against}, corridorInputs...),
			output: "result", outputTitle: "The original check and the alternatives", outputSchema: obj{"type": "object", "contentMediaType": mediaJSON},
			sync: true, async: true, prepare: prepareReroute},
		{id: "routes", title: "Routes",
			description: "Alternative alignments that keep half the corridor plus the clearance from every polygon of the hard layers, ranked by cost " +
				"(soft costs in km-equivalents), the original alignment as row 0. The answer of POST /routes; its inputs are the members of that " +
				"request's body (the alignment as a GeoJSON object).",
			keywords: []string{"routes", "alternative alignments", "right of way"},
			inputs: []processInput{
				{id: "alignment", title: "Alignment", description: "A GeoJSON LineString, Feature or FeatureCollection of one line (optional with from and to).",
					schema: obj{"type": "object", "contentMediaType": mediaGeoJSON}},
				{id: "from", title: "Start", schema: lonLatSchema()}, {id: "to", title: "End", schema: lonLatSchema()},
				{id: "waypoints", title: "Waypoints", description: "Points to pass, in order.", schema: obj{"type": "array", "items": lonLatSchema()}},
				{id: "mode", title: "Mode", description: "free: between the ends; keep: replace only the conflicting stretches of the alignment.",
					schema: obj{"type": "string", "enum": []string{"free", "keep"}, "default": "free"}},
				{id: "k", title: "Alternatives", schema: obj{"type": "integer", "minimum": 1, "maximum": overlaps.MaxK, "default": overlaps.DefaultK}},
				{id: "max_shared", title: "Most length two alternatives share", schema: obj{"type": "number", "minimum": 0, "maximum": 1, "default": overlaps.DefaultMaxShared}},
				{id: "corridor", title: "Corridor", description: "{row_width_m} or {voltage_kv, circuit} or {rail: true}.", schema: obj{"type": "object"}},
				{id: "clearance_m", title: "Clearance (m)", schema: obj{"type": "number", "minimum": 0}},
				{id: "min_section_m", title: "Shortest straight section (m)", schema: obj{"type": "number", "minimum": 0}},
				{id: "hard", title: "Hard layers", description: "Polygon layers no route may come near (default coal_blocks).", schema: obj{"type": "array", "items": obj{"type": "string"}}},
				{id: "soft", title: "Soft costs", description: "polygons [{layer, cost_per_km}], crossings [{layer, penalty_km}], parallel [{layer, bonus_per_km, within_m}], " +
					"angle_point_km; omitted: the defaults of GET /overlaps/corridors.", schema: obj{"type": "object"}},
			},
			output: "routes", outputTitle: "The routes, ranked", outputSchema: obj{"type": "object", "contentMediaType": mediaJSON},
			sync: true, async: true, prepare: prepareRoutes},
		{id: "layer-overlaps", title: "Layer against layer",
			description: "Every feature of line layers checked against polygon layers, kept as an overlap run (GET /overlaps/runs/{id}); " +
				"one row per line–polygon pair. Runs in the background only; needs an editor token.",
			keywords: []string{"overlap", "batch"},
			inputs: []processInput{
				{id: "lines", title: "Line layers", required: true, schema: obj{"type": "array", "minItems": 1, "items": obj{"type": "string"}}},
				{id: "polygons", title: "Polygon layers", description: "Default coal_blocks.", schema: obj{"type": "array", "items": obj{"type": "string"}}},
				{id: "row_width_m", title: "Right-of-way width (m)", description: "For lines whose layer gives none (a voltage column).",
					schema: obj{"type": "number", "exclusiveMinimum": 0}},
				{id: "clearance_m", title: "Clearance (m)", schema: obj{"type": "number", "minimum": 0, "default": 0}},
			},
			output: "pairs", outputTitle: "One row per line–polygon pair",
			outputSchema: obj{"type": "object", "properties": obj{"rows": obj{"type": "array", "items": obj{"type": "object"}}}, "contentMediaType": mediaJSON},
			async:        true, write: true},
	}
}

func (s *Server) process(id string) (*process, bool) {
	for _, p := range s.processes() {
		if p.id == id {
			if p.id == "layer-overlaps" && s.deps.Runs == nil {
				return nil, false
			}
			return p, true
		}
	}
	return nil, false
}

// jobControl are a process's job control options as served: async only
// where a job store is wired in.
func (s *Server) jobControl(p *process) []string {
	var out []string
	if p.sync {
		out = append(out, "sync-execute")
	}
	if p.async && (p.write || s.deps.Jobs != nil) {
		out = append(out, "async-execute", "dismiss")
	}
	return out
}

func (s *Server) processSummary(base string, p *process) map[string]any {
	self := base + "/processes/" + p.id
	return map[string]any{"id": p.id, "title": p.title, "description": p.description, "keywords": p.keywords, "version": processVersion,
		"jobControlOptions": s.jobControl(p), "outputTransmission": []string{"value"},
		"links": []link{{Href: self, Rel: "self", Type: mediaJSON, Title: p.title},
			{Href: self + "/execution", Rel: relExecute, Type: mediaJSON, Title: "Execute " + p.title}}}
}

// processException answers with an OGC API – Processes exception: the
// service's error body, with the exception's type, title and status.
func (s *Server) processException(w http.ResponseWriter, r *http.Request, status int, typ, msg string) {
	s.log.InfoContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path, "request_id", requestID(r), "err", msg)
	writeJSON(w, status, map[string]any{"type": typ, "title": msg, "status": status, "error": msg})
}

func (s *Server) handleProcesses(w http.ResponseWriter, r *http.Request) {
	if _, err := checkF(r, "json"); err != nil {
		s.writeError(w, r, err)
		return
	}
	base := s.baseURL(r)
	list := []map[string]any{}
	for _, p := range s.processes() {
		if _, ok := s.process(p.id); ok {
			list = append(list, s.processSummary(base, p))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"processes": list,
		"links": []link{{Href: base + "/processes", Rel: "self", Type: mediaJSON, Title: "Processes"}}})
}

func (s *Server) handleProcess(w http.ResponseWriter, r *http.Request) {
	p, ok := s.process(chi.URLParam(r, "process"))
	if !ok {
		s.processException(w, r, http.StatusNotFound, excNoSuchProcess, fmt.Sprintf("no process %q", chi.URLParam(r, "process")))
		return
	}
	if _, err := checkF(r, "json"); err != nil {
		s.writeError(w, r, err)
		return
	}
	d := s.processSummary(s.baseURL(r), p)
	ins := map[string]any{}
	for _, in := range p.inputs {
		m := map[string]any{"title": in.title, "schema": in.schema, "minOccurs": 0, "maxOccurs": 1}
		if in.description != "" {
			m["description"] = in.description
		}
		if in.required {
			m["minOccurs"] = 1
		}
		ins[in.id] = m
	}
	d["inputs"] = ins
	d["outputs"] = map[string]any{p.output: map[string]any{"title": p.outputTitle, "schema": p.outputSchema}}
	writeJSON(w, http.StatusOK, d)
}

// executeRequest is an execute request of OGC API – Processes 1.0.
type executeRequest struct {
	Inputs  map[string]json.RawMessage `json:"inputs"`
	Outputs map[string]struct {
		TransmissionMode string          `json:"transmissionMode"`
		Format           json.RawMessage `json:"format"`
	} `json:"outputs"`
	Response   string          `json:"response"`
	Subscriber json.RawMessage `json:"subscriber"`
}

// inputs are the inputs of an execute request, read by name.
type inputs map[string]json.RawMessage

// inputError is a 400 naming the input at fault.
func inputError(name, format string, args ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("input %s: %s", name, fmt.Sprintf(format, args...)),
		Detail: map[string]string{"input": name}}
}

// prefersAsync reports whether the Prefer header asks for respond-async.
func prefersAsync(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]), "respond-async") {
				return true
			}
		}
	}
	return false
}

func (s *Server) handleExecute(w http.ResponseWriter, r *http.Request) {
	p, ok := s.process(chi.URLParam(r, "process"))
	if !ok {
		s.processException(w, r, http.StatusNotFound, excNoSuchProcess, fmt.Sprintf("no process %q", chi.URLParam(r, "process")))
		return
	}
	if p.write && !s.requireWrite(w, r) {
		return
	}
	req, err := s.readExecute(w, r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	control := s.jobControl(p)
	async := slices.Contains(control, "async-execute") && (prefersAsync(r) || !p.sync)
	if p.id == "layer-overlaps" {
		s.executeRun(w, r, req.Inputs)
		return
	}
	ls, run, err := p.prepare(s, r, req.Inputs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, id := range ls {
		if _, err := s.visibleLayer(r, id); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if !async {
		v, err := run(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if req.Response == "document" {
			v = map[string]any{p.output: v}
		}
		writeJSON(w, http.StatusOK, v)
		return
	}
	raw, _ := json.Marshal(req.Inputs)
	info, err := s.deps.Jobs.Start(r.Context(), overlaps.JobSpec{Process: p.id, Inputs: raw, Layers: ls, CreatedBy: principal(r).Actor()},
		func(ctx context.Context) (any, error) {
			v, err := run(ctx)
			if err != nil {
				return nil, s.jobFailure(ctx, err)
			}
			return v, nil
		})
	if errors.Is(err, overlaps.ErrJobsBusy) {
		err = errorf(http.StatusServiceUnavailable, "too many jobs running or queued; retry shortly")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.jobCreated(w, r, s.jobStatus(s.baseURL(r), info))
}

// jobFailure turns a computation's error into the failure a job keeps: the
// error answer a synchronous execution would have given. Server-side
// failures stay plain errors (logged, "internal error" to clients).
func (s *Server) jobFailure(ctx context.Context, err error) error {
	status, msg, detail := statusOf(err)
	if status >= 500 {
		return err
	}
	if c := layers.Cause(err); c != nil {
		s.log.InfoContext(ctx, "job refused its input", "err", err, "cause", c)
	}
	doc, _ := json.Marshal(errorBody{Error: msg, Detail: detail})
	var m map[string]any
	_ = json.Unmarshal(doc, &m)
	m["status"] = status
	doc, _ = json.Marshal(m)
	return &overlaps.JobFailure{Message: msg, Document: doc}
}

// jobCreated answers an asynchronous execution: 201, the job's status and
// where to follow it.
func (s *Server) jobCreated(w http.ResponseWriter, r *http.Request, st map[string]any) {
	w.Header().Set("Location", s.baseURL(r)+"/jobs/"+st["jobID"].(string))
	if prefersAsync(r) {
		w.Header().Set("Preference-Applied", "respond-async")
	}
	writeJSON(w, http.StatusCreated, st)
}

// readExecute reads and checks an execute request against p's description.
func (s *Server) readExecute(w http.ResponseWriter, r *http.Request, p *process) (*executeRequest, error) {
	if q := r.URL.Query(); len(q) > 0 {
		for k := range q {
			return nil, badParam(k, "unknown parameter (the execute request is the body)")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxCheckBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, errorf(http.StatusRequestEntityTooLarge, "the execute request is larger than %d bytes", s.cfg.MaxCheckBytes)
		}
		return nil, errorf(http.StatusBadRequest, "reading the body: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req executeRequest
	if err := dec.Decode(&req); err != nil {
		return nil, &Error{Status: http.StatusBadRequest, Detail: map[string]string{"field": "body"},
			Message: fmt.Sprintf("the execute request: %v (want {\"inputs\": {…}, \"outputs\": {…}, \"response\": \"raw\"|\"document\"})", err)}
	}
	if len(req.Subscriber) > 0 && string(req.Subscriber) != "null" {
		return nil, &Error{Status: http.StatusBadRequest, Message: "subscriber: callbacks are not supported; follow the job at its Location",
			Detail: map[string]string{"field": "subscriber"}}
	}
	switch req.Response {
	case "", "raw", "document":
	default:
		return nil, &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("response: want raw or document, got %q", req.Response),
			Detail: map[string]string{"field": "response"}}
	}
	for id, o := range req.Outputs {
		if id != p.output {
			return nil, &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("outputs: %s has no output %q (its output is %s)", p.id, id, p.output),
				Detail: map[string]string{"field": "outputs." + id}}
		}
		if o.TransmissionMode != "" && o.TransmissionMode != "value" {
			return nil, &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("outputs.%s.transmissionMode: only value is offered, got %q", id, o.TransmissionMode),
				Detail: map[string]string{"field": "outputs." + id + ".transmissionMode"}}
		}
	}
	known := map[string]bool{}
	for _, in := range p.inputs {
		known[in.id] = true
		if _, ok := req.Inputs[in.id]; in.required && !ok {
			return nil, inputError(in.id, "required")
		}
	}
	names := make([]string, 0, len(req.Inputs))
	for k := range req.Inputs {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !known[k] {
			var ids []string
			for _, in := range p.inputs {
				ids = append(ids, in.id)
			}
			return nil, inputError(k, "unknown input of %s (its inputs: %s)", p.id, strings.Join(ids, ", "))
		}
		if v := bytes.TrimSpace(req.Inputs[k]); len(v) > 0 && v[0] == '{' {
			var ref struct {
				Href string `json:"href"`
			}
			if json.Unmarshal(v, &ref) == nil && ref.Href != "" {
				return nil, inputError(k, "references (href) are not supported: give the value inline")
			}
		}
	}
	return &req, nil
}

// qualified unwraps a qualified value ({"value": …, "mediaType": …}).
func qualified(raw json.RawMessage) json.RawMessage {
	var q struct {
		Value json.RawMessage `json:"value"`
		Type  json.RawMessage `json:"type"`
	}
	if v := bytes.TrimSpace(raw); len(v) > 0 && v[0] == '{' && json.Unmarshal(v, &q) == nil && len(q.Value) > 0 && len(q.Type) == 0 {
		return q.Value
	}
	return raw
}

func (in inputs) number(name string) (float64, error) {
	raw, ok := in[name]
	if !ok {
		return 0, nil
	}
	var v float64
	if err := json.Unmarshal(qualified(raw), &v); err != nil {
		return 0, inputError(name, "want a number, got %s", clip(raw))
	}
	if v < 0 {
		return 0, inputError(name, "must not be negative, got %g", v)
	}
	return v, nil
}

func (in inputs) integer(name string) (int, error) {
	raw, ok := in[name]
	if !ok {
		return 0, nil
	}
	var v int
	if err := json.Unmarshal(qualified(raw), &v); err != nil {
		return 0, inputError(name, "want a whole number, got %s", clip(raw))
	}
	return v, nil
}

func (in inputs) boolean(name string) (bool, error) {
	raw, ok := in[name]
	if !ok {
		return false, nil
	}
	var v bool
	if err := json.Unmarshal(qualified(raw), &v); err != nil {
		return false, inputError(name, "want true or false, got %s", clip(raw))
	}
	return v, nil
}

func (in inputs) text(name string) (string, error) {
	raw, ok := in[name]
	if !ok {
		return "", nil
	}
	var v string
	if err := json.Unmarshal(qualified(raw), &v); err != nil {
		return "", inputError(name, "want a string, got %s", clip(raw))
	}
	return v, nil
}

// layerList reads a list of layer ids: an array of strings, or one string
// of comma-separated ids.
func (in inputs) layerList(name string) ([]string, error) {
	raw, ok := in[name]
	if !ok {
		return nil, nil
	}
	raw = qualified(raw)
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		var one string
		if json.Unmarshal(raw, &one) != nil {
			return nil, inputError(name, "want an array of layer ids, got %s", clip(raw))
		}
		list = strings.Split(one, ",")
	}
	var out []string
	for _, id := range list {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out, nil
}

// document reads the alignment: a GeoJSON object, or a string holding a
// GeoJSON or KML document.
func (in inputs) document(name string) ([]byte, error) {
	raw := bytes.TrimSpace(qualified(in[name]))
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, inputError(name, "not a JSON string: %v", err)
		}
		return []byte(s), nil
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, inputError(name, "want a GeoJSON object or a KML document as a string, got %s", clip(raw))
	}
	return raw, nil
}

func clip(raw json.RawMessage) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "…"
	}
	return string(raw)
}

// checkOptions reads the inputs the check and the reroute share.
func checkOptions(in inputs) ([]overlaps.Alignment, overlaps.Options, error) {
	var opts overlaps.Options
	var err error
	if opts.Layers, err = in.layerList("against"); err != nil {
		return nil, opts, err
	}
	if opts.Corridor.RowWidthM, err = in.number("row_width_m"); err != nil {
		return nil, opts, err
	}
	if opts.Corridor.VoltageKV, err = in.integer("voltage_kv"); err != nil {
		return nil, opts, err
	}
	if opts.Corridor.Circuit, err = in.text("circuit"); err != nil {
		return nil, opts, err
	}
	if opts.Corridor.Rail, err = in.boolean("rail"); err != nil {
		return nil, opts, err
	}
	if opts.ClearanceM, err = in.number("clearance_m"); err != nil {
		return nil, opts, err
	}
	doc, err := in.document("alignment")
	if err != nil {
		return nil, opts, err
	}
	alignments, err := overlaps.ParseAlignments(doc)
	return alignments, opts, err
}

func prepareCheck(s *Server, _ *http.Request, in inputs) ([]string, overlaps.JobFunc, error) {
	alignments, opts, err := checkOptions(in)
	if err != nil {
		return nil, nil, err
	}
	return opts.Layers, func(ctx context.Context) (any, error) {
		return s.deps.Overlaps.Check(ctx, alignments, opts)
	}, nil
}

func prepareReroute(s *Server, _ *http.Request, in inputs) ([]string, overlaps.JobFunc, error) {
	alignments, opts, err := checkOptions(in)
	if err != nil {
		return nil, nil, err
	}
	if len(alignments) != 1 {
		return nil, nil, inputError("alignment", "a reroute takes exactly one alignment, got %d", len(alignments))
	}
	return opts.Layers, func(ctx context.Context) (any, error) {
		return s.deps.Overlaps.Reroute(ctx, alignments[0], opts)
	}, nil
}

// prepareRoutes reads the inputs of the routes process as POST /routes
// reads its body: the inputs are that body's members.
func prepareRoutes(s *Server, r *http.Request, in inputs) ([]string, overlaps.JobFunc, error) {
	doc := make(map[string]json.RawMessage, len(in))
	for k, v := range in {
		doc[k] = qualified(v)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, nil, err
	}
	req, err := overlaps.ParseRouteRequest(b)
	if err != nil {
		return nil, nil, err
	}
	if err := s.routeLayers(r, req); err != nil {
		return nil, nil, err
	}
	ls := append([]string(nil), req.Hard...)
	for _, p := range req.Soft.Polygons {
		ls = append(ls, p.Layer)
	}
	for _, c := range req.Soft.Crossings {
		ls = append(ls, c.Layer)
	}
	for _, p := range req.Soft.Parallel {
		ls = append(ls, p.Layer)
	}
	return ls, func(ctx context.Context) (any, error) { return s.deps.Overlaps.Routes(ctx, req) }, nil
}

func lonLatSchema() obj {
	return obj{"type": "array", "items": obj{"type": "number"}, "minItems": 2, "maxItems": 2}
}

// executeRun starts the layer-overlaps process: an overlap run, answered
// as a job.
func (s *Server) executeRun(w http.ResponseWriter, r *http.Request, in inputs) {
	var spec overlaps.RunSpec
	var err error
	if spec.Lines, err = in.layerList("lines"); err == nil && len(spec.Lines) == 0 {
		err = inputError("lines", "name at least one line layer")
	}
	if err == nil {
		spec.Polygons, err = in.layerList("polygons")
	}
	if err == nil {
		spec.RowWidthM, err = in.number("row_width_m")
	}
	if err == nil {
		spec.ClearanceM, err = in.number("clearance_m")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, id := range append(append([]string(nil), spec.Lines...), spec.Polygons...) {
		if _, err := s.visibleLayer(r, id); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	info, err := s.deps.Runs.Start(r.Context(), spec, principal(r).Actor())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.jobCreated(w, r, runStatus(s.baseURL(r), info))
}

// runJobID is the job id of overlap run id.
func runJobID(id int64) string { return "run-" + strconv.FormatInt(id, 10) }
