package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	flotilla "flotilla/v1"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// reconnectFor is how long a lost watch is retried before the client gives up.
const reconnectFor = 60 * time.Second

// WatchStream is one WatchApplication stream: where it started, what it delivered, who closed it.
type WatchStream struct {
	AfterSequence uint64   `json:"after_sequence"`
	Sequences     []uint64 `json:"sequences"`
	// "server" (the application ended), "client" (the deliberate disconnect) or "UNAVAILABLE".
	EndedBy string `json:"ended_by"`
}

// EventSummary is an event as plain data: its sequence, its kind and the status it reports.
type EventSummary struct {
	Sequence uint64 `json:"sequence"`
	Kind     string `json:"kind"`
	Status   string `json:"status"`
	// The job, task or cluster the event is about; empty for the application's own changes.
	Subject string `json:"subject,omitempty"`
}

type watched struct {
	events      []EventSummary
	streams     []*WatchStream
	finalStatus string
}

// terminal statuses are those after which nothing changes.
var terminal = map[flotilla.ApplicationStatus]bool{
	flotilla.ApplicationStatus_APPLICATION_STATUS_FINISHED: true,
	flotilla.ApplicationStatus_APPLICATION_STATUS_FAILED:   true,
	flotilla.ApplicationStatus_APPLICATION_STATUS_CANCELED: true,
}

// watchToEnd returns every event of the application until it ends. When a stream breaks it opens
// another after the last sequence seen; with disconnectAfter > 0 it closes the first stream itself
// after that many events, to show the resumption.
func watchToEnd(ctx context.Context, client flotilla.ClusterClientServiceClient, applicationID string, disconnectAfter int) (*watched, error) {
	result := &watched{}
	var after uint64
	var current flotilla.ApplicationStatus
	disconnected := disconnectAfter <= 0
	var lostSince time.Time
	for !terminal[current] {
		streamCtx, cancel := context.WithCancel(ctx)
		stream, err := client.WatchApplication(streamCtx, &flotilla.WatchApplicationRequest{
			ApplicationId: applicationID, AfterSequence: after, Follow: true,
		})
		seen := &WatchStream{AfterSequence: after, Sequences: []uint64{}, EndedBy: "server"}
		result.streams = append(result.streams, seen)
		for err == nil {
			var response *flotilla.WatchApplicationResponse
			if response, err = stream.Recv(); err != nil {
				break
			}
			lostSince = time.Time{}
			event := response.GetEvent()
			if event.GetSequence() != after+1 {
				cancel()
				return nil, fmt.Errorf("event %d arrived after %d: a gap or a repeat", event.GetSequence(), after)
			}
			after = event.GetSequence()
			seen.Sequences = append(seen.Sequences, after)
			result.events = append(result.events, summarize(event))
			if change, ok := event.GetKind().(*flotilla.ApplicationEvent_ApplicationStatusChanged); ok {
				current = change.ApplicationStatusChanged.GetStatus()
			}
			if !disconnected && len(result.events) >= disconnectAfter {
				disconnected = true
				seen.EndedBy = "client"
				err = context.Canceled
			}
		}
		cancel()
		var reason string
		switch {
		case seen.EndedBy == "client" || (err == io.EOF && terminal[current]):
			continue
		case err == io.EOF:
			reason = "the stream ended before the application did"
		case status.Code(err) == codes.Unavailable:
			seen.EndedBy = "UNAVAILABLE"
			reason = fmt.Sprintf("connection lost (%s)", status.Convert(err).Message())
		default:
			return nil, err
		}
		// Lost: ask again after the last sequence seen, for a while.
		if lostSince.IsZero() {
			lostSince = time.Now()
		} else if time.Since(lostSince) > reconnectFor {
			return nil, fmt.Errorf("%s, for %s", reason, reconnectFor)
		}
		fmt.Fprintf(os.Stderr, "run_application: watch: %s; resuming after sequence %d\n", reason, after)
		time.Sleep(500 * time.Millisecond)
	}
	result.finalStatus = current.String()
	return result, nil
}

func summarize(event *flotilla.ApplicationEvent) EventSummary {
	summary := EventSummary{Sequence: event.GetSequence()}
	switch kind := event.GetKind().(type) {
	case *flotilla.ApplicationEvent_ApplicationStatusChanged:
		summary.Kind, summary.Status = "application_status_changed", kind.ApplicationStatusChanged.GetStatus().String()
	case *flotilla.ApplicationEvent_JobStatusChanged:
		change := kind.JobStatusChanged
		summary.Kind, summary.Status, summary.Subject = "job_status_changed", change.GetStatus().String(), change.GetJobName()
	case *flotilla.ApplicationEvent_TaskStateChanged:
		change := kind.TaskStateChanged
		summary.Kind, summary.Status = "task_state_changed", change.GetState().String()
		summary.Subject = fmt.Sprintf("%s #%d", change.GetVertexName(), change.GetSubtaskIndex())
	case *flotilla.ApplicationEvent_ClusterStatusChanged:
		change := kind.ClusterStatusChanged
		summary.Kind, summary.Status, summary.Subject = "cluster_status_changed", change.GetStatus().String(), change.GetClusterId()
	}
	return summary
}
