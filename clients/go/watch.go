package main

import (
	"context"
	"fmt"
	"io"
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

// watchToEnd returns every event of the application until it ends. When a stream breaks it opens
// another after the last sequence seen; with disconnectAfter > 0 it closes the first stream itself
// after that many events, to show the resumption.
func watchToEnd(ctx context.Context, client flotilla.ClusterClientServiceClient, applicationID string, disconnectAfter int) (*watched, error) {
	result := &watched{}
	var after uint64
	disconnected := disconnectAfter <= 0
	var lostSince time.Time
	for {
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
			summary := summarize(event)
			result.events = append(result.events, summary)
			if change, ok := event.GetKind().(*flotilla.ApplicationEvent_ApplicationStatusChanged); ok {
				result.finalStatus = change.ApplicationStatusChanged.GetStatus().String()
			}
			if !disconnected && len(result.events) >= disconnectAfter {
				disconnected = true
				seen.EndedBy = "client"
				err = context.Canceled
			}
		}
		cancel()
		switch {
		case err == io.EOF:
			return result, nil
		case seen.EndedBy == "client":
			continue
		case status.Code(err) == codes.Unavailable:
			if lostSince.IsZero() {
				lostSince = time.Now()
			} else if time.Since(lostSince) > reconnectFor {
				return nil, err
			}
			seen.EndedBy = "UNAVAILABLE"
			time.Sleep(500 * time.Millisecond)
		default:
			return nil, err
		}
	}
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
