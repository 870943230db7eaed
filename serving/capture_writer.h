// CaptureWriter: SageMaker endpoint data capture. Records handed to Append
// are written off the request path by one background thread, in batches, as
// SageMaker's capture JSON lines (../shared/reference/mlops-formats.md §b)
// under <root>/<endpoint>/<variant>/yyyy/mm/dd/hh/<file>.jsonl, the hour
// being the record's (UTC). Flush() and the destructor write everything
// appended before them, so a clean shutdown loses no record.
// One file per endpoint, variant and hour per writer, named after its first
// record: <yyyy-mm-dd-hh-mm-ss-sss>-<uuid>.jsonl; files are only appended to.
// Thread-safe.
#ifndef MLFLOWCTL_SERVING_CAPTURE_WRITER_H_
#define MLFLOWCTL_SERVING_CAPTURE_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"

namespace mlflowctl::serving {

struct CaptureRecord {
  std::string endpoint_name;
  std::string variant_name;
  int64_t time_ms = 0;  // when the request arrived
  std::string event_id;  // a UUID
  std::string inference_id;  // empty when the client sent none
  bool capture_input = true;
  bool capture_output = true;
  std::string input_content_type;
  std::string input_body;
  std::string output_content_type;
  std::string output_body;
  // "CSV", "JSON" or "BASE64" (also when empty): how `data` holds the body,
  // from the config's CaptureContentTypeHeader (see CaptureEncoding). A
  // body that is not valid UTF-8 is always written as BASE64.
  std::string input_encoding;
  std::string output_encoding;
};

// SageMaker's capture encoding for a body of `content_type`: "CSV" when its
// media type is one of `csv_types`, "JSON" when one of `json_types`, else
// "BASE64" (SageMaker's default when no CaptureContentTypeHeader is given).
std::string CaptureEncoding(std::string_view content_type,
                            const std::vector<std::string>& csv_types,
                            const std::vector<std::string>& json_types);

// One capture line (no trailing newline), keys in SageMaker's order:
// {"captureData":{"endpointInput":{"observedContentType","mode","data",
// "encoding"},"endpointOutput":{...}},"eventMetadata":{"eventId",
// ["inferenceId",]"inferenceTime"},"eventVersion":"0"}; inferenceTime is
// the record's time in UTC to the second ("2022-02-14T17:25:49Z").
std::string CaptureLine(const CaptureRecord& record);
// Appends CaptureLine(record) to `out`.
void AppendCaptureLine(const CaptureRecord& record, std::string& out);

class CaptureWriter {
 public:
  static constexpr std::size_t kMaxQueued = 100000;

  // `root`: "$MLFLOWCTL_HOME/capture".
  explicit CaptureWriter(std::string root);
  ~CaptureWriter();  // flushes
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  void Append(CaptureRecord record);
  // Returns once every record appended before the call is written; the
  // first write error since the last Flush, if any.
  Status Flush();
  // Records written so far, and dropped (a write error, an endpoint or
  // variant name that is not a safe path segment, or more than
  // kMaxQueued records waiting).
  uint64_t written() const;
  uint64_t dropped() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlflowctl::serving

#endif  // MLFLOWCTL_SERVING_CAPTURE_WRITER_H_
