package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	flotilla "flotilla/v1"
)

// chunkBytes is the size of the upload's chunks.
const chunkBytes = 256 * 1024

// upload stores the bundle; it returns its artifact id (the sha256) and whether the store had it already.
func upload(ctx context.Context, client flotilla.ClusterClientServiceClient, bundle *packedBundle) (string, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	sum := sha256.Sum256(bundle.data)
	id := hex.EncodeToString(sum[:])
	stream, err := client.UploadArtifact(ctx)
	if err != nil {
		return "", false, err
	}
	header := &flotilla.ArtifactHeader{Sha256: id, SizeBytes: uint64(len(bundle.data)), FileName: bundle.fileName}
	if err := stream.Send(&flotilla.UploadArtifactRequest{Part: &flotilla.UploadArtifactRequest_Header{Header: header}}); err != nil {
		return "", false, err
	}
	for start := 0; start < len(bundle.data); start += chunkBytes {
		end := start + chunkBytes
		if end > len(bundle.data) {
			end = len(bundle.data)
		}
		chunk := &flotilla.UploadArtifactRequest_Chunk{Chunk: bundle.data[start:end]}
		if err := stream.Send(&flotilla.UploadArtifactRequest{Part: chunk}); err != nil {
			break // the server ended the call; CloseAndRecv returns its status
		}
	}
	response, err := stream.CloseAndRecv()
	if err != nil {
		return "", false, err
	}
	if response.GetArtifact().GetId() != id {
		return "", false, fmt.Errorf("the control plane stored %s, not %s", response.GetArtifact().GetId(), id)
	}
	return id, response.GetAlreadyStored(), nil
}

// runDriver asks the control plane to run the bundle in driver mode; it returns the accepted application.
func runDriver(ctx context.Context, client flotilla.ClusterClientServiceClient, artifactID, name, entry string, args []string) (*flotilla.Application, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	// The same request id on a retry returns the first application instead of starting a second.
	random := make([]byte, 16)
	if _, err := rand.Read(random); err != nil {
		return nil, err
	}
	response, err := client.RunApplication(ctx, &flotilla.RunApplicationRequest{
		RequestId: hex.EncodeToString(random),
		Name:      name,
		Bundle:    &flotilla.BundleReference{Source: &flotilla.BundleReference_ArtifactId{ArtifactId: artifactID}},
		Entry:     entry,
		Args:      args,
		Mode:      flotilla.SubmissionMode_SUBMISSION_MODE_DRIVER,
	})
	if err != nil {
		return nil, err
	}
	return response.GetApplication(), nil
}

// readDriverLog returns what main() wrote, by stream (stdout, stderr, logger), as text; it follows
// the log until the application has ended and every byte is read.
func readDriverLog(ctx context.Context, client flotilla.ClusterClientServiceClient, applicationID string) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	stream, err := client.ReadDriverLog(ctx, &flotilla.ReadDriverLogRequest{ApplicationId: applicationID, Follow: true})
	if err != nil {
		return nil, err
	}
	texts := map[string]string{}
	for {
		piece, err := stream.Recv()
		if err == io.EOF {
			return texts, nil
		}
		if err != nil {
			return nil, err
		}
		texts[piece.GetStream().String()] += string(piece.GetData())
	}
}

// listJobs returns every job of the application, page by page.
func listJobs(ctx context.Context, client flotilla.ClusterClientServiceClient, applicationID string) ([]*flotilla.JobSummary, error) {
	var jobs []*flotilla.JobSummary
	token := ""
	for {
		callCtx, cancel := context.WithTimeout(ctx, callTimeout)
		page, err := client.ListJobs(callCtx, &flotilla.ListJobsRequest{ApplicationId: applicationID, PageSize: 100, PageToken: token})
		cancel()
		if err != nil {
			return nil, err
		}
		jobs = append(jobs, page.GetJobs()...)
		if token = page.GetNextPageToken(); token == "" {
			return jobs, nil
		}
	}
}
