package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/coalmap/coalmap/overlaps"
)

// The jobs of OGC API – Processes: process jobs (overlaps.Jobs, ids are
// UUIDs) and overlap runs (overlaps.Runs, ids "run-<id>"), both kept in the
// database, so that any server answers for any job. A job over a layer the
// caller may not see is as invisible as the layer.

// statusInfo is the status document of a job (statusInfo.yaml of 1.0).
func statusInfo(base, id, process string, status overlaps.JobStatus, msg string, created time.Time, started, finished *time.Time,
	updated time.Time, progress int) map[string]any {
	self := base + "/jobs/" + id
	st := map[string]any{"type": "process", "jobID": id, "processID": process, "status": string(status),
		"created": created.UTC().Format(time.RFC3339Nano), "updated": updated.UTC().Format(time.RFC3339Nano), "progress": progress,
		"links": []link{{Href: self, Rel: "self", Type: mediaJSON, Title: "This job's status"},
			{Href: base + "/jobs", Rel: "up", Type: mediaJSON, Title: "The jobs"}}}
	if msg != "" {
		st["message"] = msg
	}
	if started != nil {
		st["started"] = started.UTC().Format(time.RFC3339Nano)
	}
	if finished != nil {
		st["finished"] = finished.UTC().Format(time.RFC3339Nano)
	}
	if status == overlaps.JobSuccessful || status == overlaps.JobFailed {
		st["links"] = append(st["links"].([]link), link{Href: self + "/results", Rel: relResults, Type: mediaJSON, Title: "The job's results"})
	}
	return st
}

// jobStatus is the status document of a process job.
func (s *Server) jobStatus(base string, j *overlaps.JobInfo) map[string]any {
	progress := 0
	if j.Status.Done() {
		progress = 100
	}
	return statusInfo(base, j.ID, j.Process, j.Status, j.Message, j.Created, j.Started, j.Finished, j.Updated, progress)
}

// runStatus is the status document of an overlap run as a job of the
// layer-overlaps process.
func runStatus(base string, info *overlaps.RunInfo) map[string]any {
	status := map[overlaps.RunStatus]overlaps.JobStatus{overlaps.RunQueued: overlaps.JobAccepted, overlaps.RunRunning: overlaps.JobRunning,
		overlaps.RunSucceeded: overlaps.JobSuccessful, overlaps.RunFailed: overlaps.JobFailed, overlaps.RunCancelled: overlaps.JobDismissed}[info.Status]
	progress := 0
	switch {
	case status.Done():
		progress = 100
	case info.LinesTotal > 0:
		progress = min(99, info.LinesDone*100/info.LinesTotal)
	}
	msg := info.Error
	if info.Stale {
		msg = strings.TrimSpace(msg + " stale: a layer of this run has changed since it ran")
	}
	updated := info.CreatedAt
	for _, t := range []*time.Time{info.StartedAt, info.FinishedAt} {
		if t != nil && t.After(updated) {
			updated = *t
		}
	}
	st := statusInfo(base, runJobID(info.ID), "layer-overlaps", status, msg, info.CreatedAt, info.StartedAt, info.FinishedAt, updated, progress)
	st["links"] = append(st["links"].([]link), link{Href: fmt.Sprintf("%s/overlaps/runs/%d", base, info.ID), Rel: "describedby", Type: mediaJSON,
		Title: "The overlap run"})
	return st
}

// processJobVisible reports whether the caller may see every layer of ls.
func (s *Server) processJobVisible(r *http.Request, ls []string) bool {
	for _, id := range ls {
		if _, err := s.visibleLayer(r, id); err != nil {
			return false
		}
	}
	return true
}

// visibleJob returns the job the path names, if the caller may see it: a
// process job, or an overlap run (id "run-<id>").
func (s *Server) visibleJob(r *http.Request) (*overlaps.JobInfo, *overlaps.RunInfo, error) {
	id := chi.URLParam(r, "job")
	if n, ok := strings.CutPrefix(id, "run-"); ok {
		rid, err := strconv.ParseInt(n, 10, 64)
		if err != nil || rid <= 0 || s.deps.Runs == nil {
			return nil, nil, overlaps.ErrRunNotFound
		}
		info, err := s.deps.Runs.Get(r.Context(), rid)
		if err != nil {
			return nil, nil, err
		}
		if !s.runVisible(r, info) {
			return nil, nil, overlaps.ErrRunNotFound
		}
		return nil, info, nil
	}
	if s.deps.Jobs == nil {
		return nil, nil, overlaps.ErrJobNotFound
	}
	j, err := s.deps.Jobs.Get(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if !s.processJobVisible(r, j.Layers) {
		return nil, nil, overlaps.ErrJobNotFound
	}
	return j, nil, nil
}

// jobError answers a failed job lookup: no-such-job for a missing one.
func (s *Server) jobError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, overlaps.ErrJobNotFound) || errors.Is(err, overlaps.ErrRunNotFound) {
		s.processException(w, r, http.StatusNotFound, excNoSuchJob, fmt.Sprintf("no job %q", chi.URLParam(r, "job")))
		return
	}
	s.writeError(w, r, err)
}

func (s *Server) handleJob(w http.ResponseWriter, r *http.Request) {
	j, run, err := s.visibleJob(r)
	if err == nil {
		_, err = checkF(r, "json")
	}
	if err != nil {
		s.jobError(w, r, err)
		return
	}
	if run != nil {
		writeJSON(w, http.StatusOK, runStatus(s.baseURL(r), run))
		return
	}
	writeJSON(w, http.StatusOK, s.jobStatus(s.baseURL(r), j))
}

// maxJobList bounds /jobs.
const maxJobList = 1000

func (s *Server) handleJobs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := 100
	for k := range q {
		switch k {
		case "f", "type", "processID", "status", "limit":
		default:
			s.writeError(w, r, badParam(k, "unknown parameter (want type, processID, status, limit or f)"))
			return
		}
	}
	if _, err := checkF(r, "json"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.writeError(w, r, badParam("limit", "want a whole number from 1, got %q", v))
			return
		}
		limit = min(n, maxJobList)
	}
	list := func(name string) []string {
		var out []string
		for _, v := range q[name] {
			for _, x := range strings.Split(v, ",") {
				if x = strings.TrimSpace(x); x != "" {
					out = append(out, x)
				}
			}
		}
		return out
	}
	types, procs, statuses := list("type"), list("processID"), list("status")
	for _, st := range statuses {
		switch overlaps.JobStatus(st) {
		case overlaps.JobAccepted, overlaps.JobRunning, overlaps.JobSuccessful, overlaps.JobFailed, overlaps.JobDismissed:
		default:
			s.writeError(w, r, badParam("status", "want accepted, running, successful, failed or dismissed, got %q", st))
			return
		}
	}
	base := s.baseURL(r)
	type entry struct {
		created time.Time
		st      map[string]any
	}
	var all []entry
	if len(types) == 0 || slices.Contains(types, "process") {
		if s.deps.Jobs != nil {
			jobs, err := s.deps.Jobs.List(r.Context(), limit)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			for i := range jobs {
				if s.processJobVisible(r, jobs[i].Layers) {
					all = append(all, entry{jobs[i].Created, s.jobStatus(base, &jobs[i])})
				}
			}
		}
		if s.deps.Runs != nil {
			runs, err := s.deps.Runs.List(r.Context(), limit)
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			for i := range runs {
				if s.runVisible(r, &runs[i]) {
					all = append(all, entry{runs[i].CreatedAt, runStatus(base, &runs[i])})
				}
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].created.After(all[j].created) })
	out := []map[string]any{}
	for _, e := range all {
		if (len(procs) == 0 || slices.Contains(procs, e.st["processID"].(string))) &&
			(len(statuses) == 0 || slices.Contains(statuses, e.st["status"].(string))) {
			out = append(out, e.st)
		}
	}
	if len(out) > limit {
		out = out[:limit]
	}
	self := base + "/jobs"
	if r.URL.RawQuery != "" {
		self += "?" + r.URL.RawQuery
	}
	writeJSON(w, http.StatusOK, map[string]any{"jobs": out, "links": []link{{Href: self, Rel: "self", Type: mediaJSON, Title: "Jobs"}}})
}

// handleDismiss cancels a job and removes it with its results (dismiss
// class): a process job by its creator or an editor, a run by an editor.
func (s *Server) handleDismiss(w http.ResponseWriter, r *http.Request) {
	j, run, err := s.visibleJob(r)
	if err != nil {
		s.jobError(w, r, err)
		return
	}
	base := s.baseURL(r)
	p := principal(r)
	if run != nil {
		if !s.requireWrite(w, r) {
			return
		}
		if err := s.deps.Runs.Delete(r.Context(), run.ID); err != nil {
			s.jobError(w, r, err)
			return
		}
		st := runStatus(base, run)
		st["status"], st["message"] = string(overlaps.JobDismissed), "dismissed"
		writeJSON(w, http.StatusOK, st)
		return
	}
	if !p.CanWrite() && (p.TokenID == 0 || p.Actor() != j.CreatedBy) {
		s.requireWrite(w, r)
		return
	}
	if err := s.deps.Jobs.Dismiss(r.Context(), j.ID); err != nil {
		s.jobError(w, r, err)
		return
	}
	j.Status, j.Message = overlaps.JobDismissed, "dismissed"
	writeJSON(w, http.StatusOK, s.jobStatus(base, j))
}

func (s *Server) handleJobResults(w http.ResponseWriter, r *http.Request) {
	j, run, err := s.visibleJob(r)
	if err != nil {
		s.jobError(w, r, err)
		return
	}
	if run != nil {
		s.runResults(w, r, run)
		return
	}
	switch j.Status {
	case overlaps.JobSuccessful, overlaps.JobFailed:
	default:
		s.processException(w, r, http.StatusNotFound, excResultNotReady, fmt.Sprintf("job %s is %s: its results are not ready", j.ID, j.Status))
		return
	}
	result, failure, err := s.deps.Jobs.Result(r.Context(), j.ID)
	if err != nil {
		s.jobError(w, r, err)
		return
	}
	if j.Status == overlaps.JobFailed {
		s.failedJob(w, r, j.Message, failure)
		return
	}
	p, _ := s.process(j.Process)
	out := "result"
	if p != nil {
		out = p.output
	}
	w.Header().Set("Content-Type", mediaJSON)
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "{%q:", out)
	_, _ = w.Write(result)
	_, _ = io.WriteString(w, "}\n")
}

// failedJob answers the results of a failed job with its failure: the error
// a synchronous execution would have given, or, for a failure of the
// service, a 500 with the job's message.
func (s *Server) failedJob(w http.ResponseWriter, r *http.Request, msg string, failure json.RawMessage) {
	var doc map[string]any
	if len(failure) == 0 || json.Unmarshal(failure, &doc) != nil {
		doc = map[string]any{"error": msg, "status": http.StatusInternalServerError}
	}
	status := http.StatusInternalServerError
	if f, ok := doc["status"].(float64); ok && f >= 400 && f < 600 {
		status = int(f)
	}
	doc["type"], doc["title"], doc["status"] = "http://www.opengis.net/def/exceptions/ogcapi-processes-1/1.0/job-failed", doc["error"], status
	writeJSON(w, status, doc)
}

// runResults answers the results of a layer-overlaps job: the run's rows,
// as GET /overlaps/runs/{id}/results?f=json gives them, as its pairs.
func (s *Server) runResults(w http.ResponseWriter, r *http.Request, info *overlaps.RunInfo) {
	switch info.Status {
	case overlaps.RunSucceeded:
	case overlaps.RunFailed:
		s.failedJob(w, r, info.Error, nil)
		return
	default:
		s.processException(w, r, http.StatusNotFound, excResultNotReady, fmt.Sprintf("job %s is %s: its results are not ready", runJobID(info.ID), info.Status))
		return
	}
	if info.Stale {
		w.Header().Set("Warning", `199 coalmap "stale: a layer of this run has changed since it ran"`)
	}
	w.Header().Set("Content-Type", mediaJSON)
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `{"pairs":`)
	rw, err := overlaps.NewResultWriter(w, "json")
	if err == nil {
		err = s.deps.Runs.Results(r.Context(), info.ID, rw.Write)
	}
	if err == nil {
		err = rw.Close()
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "job results", "run", info.ID, "err", err)
		return
	}
	_, _ = io.WriteString(w, "}\n")
}
