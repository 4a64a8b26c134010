package api

// The OpenAPI description of OGC API – Processes: the processes, their
// execution, and the jobs.

func (s *Server) openAPIProcesses() obj {
	exc := func(codes ...int) obj { return merge(failures(codes...), obj{"404": ref("responses", "E404Process")}) }
	job := ref("parameters", "jobId")
	prefer := obj{"name": "Prefer", "in": "header", "required": false, "schema": sString(),
		"description": "respond-async runs the process as a job (201, Location /jobs/{jobId}); the default, or respond-sync, answers at once where the process allows it."}
	return obj{
		"/processes": obj{"get": operation("getProcesses", "Processes", "The processes",
			"overlap-check, reroute and routes (synchronous or as jobs), layer-overlaps (an overlap run, as a job only, editor token).", []obj{fParam("json")},
			responses(obj{"200": answer("Their summaries.", content(mediaJSON, schema("ProcessList")))}, 400))},
		"/processes/{processId}": obj{"get": operation("getProcessDescription", "Processes", "A process's description",
			"Its inputs and their schemas, its output, its job control options.", []obj{ref("parameters", "processId"), fParam("json")},
			merge(obj{"200": answer("The description.", content(mediaJSON, schema("Process")))}, exc(400)))},
		"/processes/{processId}/execution": obj{"post": withBody(operation("execute", "Processes", "Execute a process",
			"The inputs are the parameters of the route the process stands for (an alignment as a GeoJSON object or a KML string, layers, "+
				"corridor, clearance). Synchronously the answer is the output (response raw) or {output: value} (response document); "+
				"as a job, 201 with the job's status and Location. A failed job keeps the error the synchronous call would have given.",
			[]obj{ref("parameters", "processId"), prefer},
			merge(obj{
				"200": answer("The output (synchronous).", content(mediaJSON, sObject())),
				"201": answer("The job, accepted.", content(mediaJSON, schema("StatusInfo")), "Location", "Preference-Applied"),
			}, exc(400, 401, 403, 413, 422, 503))), content(mediaJSON, schema("Execute")))},
		"/jobs": obj{"get": operation("getJobs", "Processes", "The jobs, newest first",
			"Process jobs and overlap runs (run-<id>); jobs over a layer the caller may not see are left out.",
			[]obj{query("type", "Job types (process).", sStrings()), query("processID", "Only jobs of these processes.", sStrings()),
				query("status", "Only jobs in these statuses.", arrayOf(obj{"type": "string", "enum": []string{"accepted", "running", "successful", "failed", "dismissed"}})),
				query("limit", "Jobs to list.", obj{"type": "integer", "minimum": 1, "default": 100}), fParam("json")},
			responses(obj{"200": answer("The jobs.", content(mediaJSON, schema("JobList")))}, 400))},
		"/jobs/{jobId}": obj{
			"get": operation("getStatus", "Processes", "A job's status", "Followed through any server: the state is in the database.",
				[]obj{job, fParam("json")}, merge(obj{"200": answer("The status.", content(mediaJSON, schema("StatusInfo")))}, exc(400))),
			"delete": operation("dismiss", "Processes", "Dismiss a job",
				"Cancels it if it runs and removes it with its results: a process job by its creator or an editor, a run by an editor.",
				[]obj{job}, merge(obj{"200": answer("Dismissed.", content(mediaJSON, schema("StatusInfo")))}, exc(401, 403))),
		},
		"/jobs/{jobId}/results": obj{"get": operation("getResult", "Processes", "A job's results",
			"{output: value} once successful; for a failed job its failure (the error a synchronous execution would have given).",
			[]obj{job}, merge(obj{"200": answer("The results.", content(mediaJSON, sObject()), "Warning"),
				"default": answer("The job failed: its failure.", content(mediaJSON, schema("Exception")))}, exc()))},
	}
}

func processSchemas() obj {
	summary := obj{"id": sString(), "title": sString(), "description": sString(), "keywords": sStrings(), "version": sString(),
		"jobControlOptions":  arrayOf(obj{"type": "string", "enum": []string{"sync-execute", "async-execute", "dismiss"}}),
		"outputTransmission": arrayOf(obj{"type": "string", "enum": []string{"value", "reference"}}), "links": sLinks()}
	described := obj{"type": "object", "additionalProperties": object([]string{"schema"}, obj{"title": sString(), "description": sString(),
		"schema": sObject(), "minOccurs": sInteger(), "maxOccurs": obj{}})}
	return obj{
		"ProcessList": object([]string{"processes", "links"}, obj{"processes": arrayOf(object([]string{"id", "version"}, summary)), "links": sLinks()}),
		"Process":     object([]string{"id", "version"}, merge(summary, obj{"inputs": described, "outputs": described})),
		"Execute": merge(object(nil, obj{
			"inputs":     obj{"type": "object", "additionalProperties": obj{}, "description": "Input id → value (or a qualified value {value, mediaType})."},
			"outputs":    obj{"type": "object", "additionalProperties": object(nil, obj{"transmissionMode": obj{"type": "string", "enum": []string{"value"}}, "format": sObject()})},
			"response":   obj{"type": "string", "enum": []string{"raw", "document"}, "default": "raw"},
			"subscriber": obj{"description": "Not supported (no callbacks): a 400."},
		}), obj{"additionalProperties": false}),
		"StatusInfo": object([]string{"type", "jobID", "status"}, obj{"type": obj{"type": "string", "enum": []string{"process"}},
			"jobID": sString(), "processID": sString(),
			"status":  obj{"type": "string", "enum": []string{"accepted", "running", "successful", "failed", "dismissed"}},
			"message": sString(), "created": obj{"type": "string", "format": "date-time"}, "started": obj{"type": "string", "format": "date-time"},
			"finished": obj{"type": "string", "format": "date-time"}, "updated": obj{"type": "string", "format": "date-time"},
			"progress": obj{"type": "integer", "minimum": 0, "maximum": 100}, "links": sLinks()}),
		"JobList": object([]string{"jobs", "links"}, obj{"jobs": arrayOf(schema("StatusInfo")), "links": sLinks()}),
	}
}
