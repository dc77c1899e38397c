package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// packedBundle is a bundle's .tgz in memory.
type packedBundle struct {
	data        []byte
	fileName    string
	packageName string
}

// skipped folders are never packed: version control data has no place on a cluster.
var skipped = map[string]bool{".git": true, ".hg": true, ".svn": true}

// packBundle packs a bundle folder (with a package.json, and its node_modules if it has
// dependencies) into a .tgz, or reads a .tgz as it is.
func packBundle(path string) (*packedBundle, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		if !strings.HasSuffix(path, ".tgz") && !strings.HasSuffix(path, ".tar.gz") {
			return nil, fmt.Errorf("%s is a file but not a .tgz; a bundle is a folder with a package.json, or a .tgz of one", path)
		}
		data, err := os.ReadFile(path)
		return &packedBundle{data: data, fileName: filepath.Base(path)}, err
	}
	manifest, err := os.ReadFile(filepath.Join(path, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("%s has no package.json; a bundle is a folder with a package.json (and its node_modules)", path)
	}
	var pkg struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal(manifest, &pkg) // a package.json without a name leaves the name to the control plane

	var archive bytes.Buffer
	zipped := gzip.NewWriter(&archive)
	writer := tar.NewWriter(zipped)
	// WalkDir visits entries in lexical order, so the same folder gives the same entries.
	err = filepath.WalkDir(path, func(file string, entry fs.DirEntry, err error) error {
		if err != nil || file == path {
			return err
		}
		if entry.IsDir() && skipped[entry.Name()] {
			return filepath.SkipDir
		}
		return addEntry(writer, path, file, entry)
	})
	if err == nil {
		err = writer.Close()
	}
	if err == nil {
		err = zipped.Close()
	}
	if err != nil {
		return nil, err
	}
	return &packedBundle{data: archive.Bytes(), fileName: filepath.Base(filepath.Clean(path)) + ".tgz", packageName: pkg.Name}, nil
}

func addEntry(writer *tar.Writer, root, file string, entry fs.DirEntry) error {
	info, err := entry.Info()
	if err != nil {
		return err
	}
	link := ""
	if info.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(file); err != nil {
			return err
		}
	}
	header, err := tar.FileInfoHeader(info, link)
	if err != nil {
		return err
	}
	relative, err := filepath.Rel(root, file)
	if err != nil {
		return err
	}
	header.Name = filepath.ToSlash(relative)
	if info.IsDir() {
		header.Name += "/"
	}
	if err := writer.WriteHeader(header); err != nil {
		return err
	}
	if !info.Mode().IsRegular() {
		return nil
	}
	content, err := os.Open(file)
	if err != nil {
		return err
	}
	defer content.Close()
	_, err = io.Copy(writer, content)
	return err
}
