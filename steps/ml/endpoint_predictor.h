// EndpointPredictor: answers an endpoint invocation the way SageMaker's
// built-in XGBoost and Linear Learner containers do, from a model directory
// written by mlflowctl:train.
//   text/csv             one record per line, feature values only (no
//                        target, no header) -> one prediction per line.
//   application/json     {"instances": [[...], {"features": [...]}, ...]}
//                        -> {"predictions": [{"score": x}, ...]}
//   application/jsonlines one instance per line -> {"score": x} per line.
// With the preprocess manifest (ml::Encoder) a record may also hold raw
// column values: a CSV line or array with one value per raw column in the
// manifest's order, or a JSON object {"Mileage": 8221, "Make": "Buick", ...}.
// The manifest is found through the model's metadata.json: extra
// "manifest_uri" / "ManifestUri" when recorded, else manifest.json beside the
// training data (extra "data"."train"), else manifest.json in the model
// directory. A manifest without "columns" is not used. Immutable after
// Load; Invoke is thread-safe.
#ifndef MLFLOWCTL_STEPS_ML_ENDPOINT_PREDICTOR_H_
#define MLFLOWCTL_STEPS_ML_ENDPOINT_PREDICTOR_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/json_util.h"
#include "engine/base/status_or.h"
#include "steps/ml/encoder.h"
#include "steps/ml/model.h"

namespace mlflowctl::ml {

class EndpointPredictor {
 public:
  // Maps a data URI recorded in metadata ("s3://b/k") to a local path.
  using UriResolver = std::function<std::string(const std::string&)>;

  struct Response {
    std::string body;
    std::string content_type;
  };

  // Loads the model in `model_dir` (ml::Model::Load's errors) and, when one
  // is found, the manifest. kInvalidArgument when a found manifest cannot be
  // parsed or defines other features than the model has.
  static StatusOr<std::unique_ptr<EndpointPredictor>> Load(
      const std::string& model_dir, const UriResolver& resolve);

  const Model& model() const { return *model_; }
  // Null when no manifest was found.
  const Encoder* encoder() const { return encoder_ ? &*encoder_ : nullptr; }
  // The manifest's path, empty when none was found.
  const std::string& manifest_path() const { return manifest_path_; }

  // Predicts for `body` of `content_type` (parameters after ';' are
  // ignored) and renders the response in the same type. kInvalidArgument
  // for an unsupported content type, an empty body, a record that is not a
  // number list, or a wrong value count (the message names the row:
  // "row 2 has 3 values; the model expects 12 features"); kInternal when the
  // model library fails.
  StatusOr<Response> Invoke(std::string_view body,
                            std::string_view content_type) const;

  // The parsing half of Invoke: the rows as a row-major matrix of
  // model().feature_count() columns.
  StatusOr<std::vector<double>> ParseCsvBody(std::string_view body,
                                             std::size_t* rows) const;
  StatusOr<std::vector<double>> ParseJsonBody(std::string_view body,
                                              std::size_t* rows) const;
  StatusOr<std::vector<double>> ParseJsonLinesBody(std::string_view body,
                                                   std::size_t* rows) const;

 private:
  EndpointPredictor() = default;
  // Feature values only, one record per line, no quotes: the common case,
  // parsed without building a CSV table. False (and `out` partly filled)
  // for anything else, which ParseCsvBody then parses in full.
  bool ParsePlainCsv(std::string_view body, std::vector<double>* out,
                     std::size_t* rows) const;
  // Appends one JSON instance (array, {"features"} or raw record) to `out`.
  Status AppendJsonInstance(const Json& instance, std::size_t row,
                            std::vector<double>* out) const;
  // Appends one row given as text values (CSV fields or a JSON array).
  Status AppendValues(const std::vector<std::string>& values, std::size_t row,
                      std::vector<double>* out) const;
  std::string ExpectedShape() const;

  std::unique_ptr<Model> model_;
  std::optional<Encoder> encoder_;
  std::string manifest_path_;
};

// The media type of a Content-Type header, lower-cased, parameters dropped:
// "Text/CSV; charset=utf-8" -> "text/csv".
std::string MediaType(std::string_view content_type);

}  // namespace mlflowctl::ml

#endif  // MLFLOWCTL_STEPS_ML_ENDPOINT_PREDICTOR_H_
