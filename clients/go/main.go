// Command run_application runs a Flotilla bundle in driver mode from Go, through code generated from
// proto/. A small client to copy: it does what `flotilla run -D --follow` does, with nothing but
// grpc-go and the generated package.
//
//  1. packs the bundle folder into a .tgz (or takes a .tgz as it is) and uploads it (UploadArtifact:
//     a header with the sha256, then chunks);
//  2. runs it in driver mode (RunApplication, SUBMISSION_MODE_DRIVER): the control plane deploys a
//     cluster for it and runs main() there as a driver job;
//  3. watches it until it ends (WatchApplication, follow): when a stream breaks (UNAVAILABLE, or the
//     deliberate disconnect of -disconnect-after), it asks again after the last sequence it saw, so
//     every event arrives once and in order; it checks that the sequences run 1, 2, 3... without a gap;
//  4. reads what main() printed (ReadDriverLog);
//  5. lists the application's jobs (ListJobs, every page).
//
// Generate the code and build offline (see generate.sh), then run:
//
//	run_application -address 127.0.0.1:6180 examples/wordcount 3 /tmp/ranking
//
// Arguments after the bundle go to main(). With -json, it prints one JSON object (what it saw) on
// stdout instead of the readable report. It exits 0 when the application FINISHED, 1 otherwise; a call
// the control plane refuses ends it with the call's name, the status and the control plane's message.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	flotilla "flotilla/v1"

	"google.golang.org/grpc"
)

// Report is what the client saw, as plain data.
type Report struct {
	ArtifactID    string            `json:"artifact_id"`
	AlreadyStored bool              `json:"already_stored"`
	ApplicationID string            `json:"application_id"`
	Status        string            `json:"status"`
	Streams       []*WatchStream    `json:"streams"`
	Sequences     []uint64          `json:"sequences"`
	Events        []EventSummary    `json:"events"`
	DriverLog     map[string]string `json:"driver_log"`
	Jobs          []JobSummary      `json:"jobs"`
}

// JobSummary is a job as ListJobs returned it.
type JobSummary struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Status        string `json:"status"`
	ApplicationID string `json:"application_id"`
	ClusterID     string `json:"cluster_id"`
}

func main() {
	address := flag.String("address", "", "HOST:PORT of the control plane")
	name := flag.String("name", "", "the application's name (default: the folder's package name; for a .tgz, the control plane's choice)")
	entry := flag.String("entry", "", "the entry point as MODULE#EXPORT, Flink's -c (default: the package's main module and its main export)")
	disconnectAfter := flag.Int("disconnect-after", 0, "close the watch once after N events and resume from the last sequence seen (a demonstration)")
	asJSON := flag.Bool("json", false, "print one JSON object instead of the readable report")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: %s -address HOST:PORT [flags] BUNDLE [ARGS...]\n", os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if *address == "" || flag.NArg() < 1 {
		flag.Usage()
		os.Exit(2)
	}

	connection, err := grpc.Dial(*address, grpc.WithInsecure())
	if err != nil {
		fail(err)
	}
	defer connection.Close()
	client := flotilla.NewClusterClientServiceClient(connection)
	report, err := run(context.Background(), client, flag.Arg(0), *name, *entry, flag.Args()[1:], *disconnectAfter)
	if err != nil {
		fail(err)
	}
	if *asJSON {
		if err := json.NewEncoder(os.Stdout).Encode(report); err != nil {
			fail(err)
		}
	} else {
		printReport(report)
	}
	if report.Status != flotilla.ApplicationStatus_APPLICATION_STATUS_FINISHED.String() {
		os.Exit(1)
	}
}

// run is the whole flow.
func run(ctx context.Context, client flotilla.ClusterClientServiceClient, bundle, name, entry string, args []string, disconnectAfter int) (*Report, error) {
	packed, err := packBundle(bundle)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = packed.packageName
	}
	artifactID, alreadyStored, err := upload(ctx, client, packed)
	if err != nil {
		return nil, fmt.Errorf("UploadArtifact: %w", err)
	}
	application, err := runDriver(ctx, client, artifactID, name, entry, args)
	if err != nil {
		return nil, fmt.Errorf("RunApplication: %w", err)
	}
	watched, err := watchToEnd(ctx, client, application.GetId(), disconnectAfter)
	if err != nil {
		return nil, fmt.Errorf("WatchApplication: %w", err)
	}
	driverLog, err := readDriverLog(ctx, client, application.GetId())
	if err != nil {
		return nil, fmt.Errorf("ReadDriverLog: %w", err)
	}
	jobs, err := listJobs(ctx, client, application.GetId())
	if err != nil {
		return nil, fmt.Errorf("ListJobs: %w", err)
	}
	report := &Report{
		ArtifactID:    artifactID,
		AlreadyStored: alreadyStored,
		ApplicationID: application.GetId(),
		Status:        watched.finalStatus,
		Streams:       watched.streams,
		Sequences:     []uint64{},
		Events:        watched.events,
		DriverLog:     driverLog,
		Jobs:          []JobSummary{},
	}
	for _, event := range watched.events {
		report.Sequences = append(report.Sequences, event.Sequence)
	}
	for _, job := range jobs {
		report.Jobs = append(report.Jobs, JobSummary{
			ID:            job.GetId(),
			Name:          job.GetName(),
			Status:        job.GetStatus().String(),
			ApplicationID: job.GetApplicationId(),
			ClusterID:     job.GetClusterId(),
		})
	}
	return report, nil
}

// callTimeout bounds each unary call and each finite stream.
const callTimeout = 60 * time.Second

func fail(err error) {
	fmt.Fprintf(os.Stderr, "run_application: %v\n", err)
	os.Exit(1)
}

func printReport(report *Report) {
	stored := "uploaded"
	if report.AlreadyStored {
		stored = "already stored"
	}
	fmt.Printf("bundle %s (%s)\n", report.ArtifactID, stored)
	fmt.Printf("application %s\n", report.ApplicationID)
	for _, stream := range report.Streams {
		span := "none"
		if n := len(stream.Sequences); n > 0 {
			span = fmt.Sprintf("%d..%d", stream.Sequences[0], stream.Sequences[n-1])
		}
		fmt.Printf("watch after %d: events %s, closed by %s\n", stream.AfterSequence, span, stream.EndedBy)
	}
	for _, event := range report.Events {
		fmt.Println(strings.TrimRight(fmt.Sprintf("  #%d %s %s %s", event.Sequence, event.Kind, event.Status, event.Subject), " "))
	}
	streams := make([]string, 0, len(report.DriverLog))
	for stream := range report.DriverLog {
		streams = append(streams, stream)
	}
	sort.Strings(streams)
	for _, stream := range streams {
		fmt.Printf("driver log (%s):\n", stream)
		for _, line := range strings.Split(strings.TrimRight(report.DriverLog[stream], "\n"), "\n") {
			fmt.Printf("  %s\n", line)
		}
	}
	for _, job := range report.Jobs {
		fmt.Printf("job %s %s %s\n", job.ID, job.Status, job.Name)
	}
	fmt.Printf("application %s\n", report.Status)
}
