#include "steps/compare_model_step.h"

#include <optional>
#include <string>

#include <fmt/format.h>

#include "steps/register_model_step.h"

namespace mlflowctl::steps {
namespace {

constexpr char kCompareResource[] = "mlflowctl:compare-model";
// A concurrent promotion makes the compare-and-set fail; compare again.
constexpr int kMaxAttempts = 5;

Error CompareError(std::string name, std::string cause) {
  return Error{std::move(name), fmt::format("{}: {}", kCompareResource, cause)};
}

Error CompareStatusError(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound: return CompareError("Mlflow.ModelNotFound", status.message());
    case StatusCode::kInvalidArgument: return CompareError("Mlflow.InvalidInput", status.message());
    default: return CompareError("Mlflow.StoreError", status.message());
  }
}

bool MaximizeByDefault(const std::string& metric) {
  std::string name = metric.substr(metric.find(':') + 1);  // "validation:r2" -> "r2"
  for (const char* m : {"r2", "accuracy", "auc", "f1", "precision", "recall"}) {
    if (name == m) return true;
  }
  return false;
}

// The candidate's version from {"ModelPackageVersion": n}, n, or
// {"ModelPackageArn": ".../GROUP/n"}; 0 when none.
int64_t CandidateVersion(const Json& c) {
  if (c.is_number_integer()) return c.get<int64_t>();
  if (!c.is_object()) return 0;
  if (c.contains("ModelPackageVersion") && c["ModelPackageVersion"].is_number_integer()) {
    return c["ModelPackageVersion"].get<int64_t>();
  }
  if (c.contains("ModelPackageArn") && c["ModelPackageArn"].is_string()) {
    std::string arn = c["ModelPackageArn"].get<std::string>();
    std::size_t slash = arn.rfind('/');
    if (slash == std::string::npos) return 0;
    std::string digits = arn.substr(slash + 1);
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
        digits.size() > 15) {
      return 0;
    }
    return std::stoll(digits);
  }
  return 0;
}

std::optional<double> MetricOf(const mlops::ModelPackage& p, const std::string& metric) {
  if (!p.metrics.contains(metric) || !p.metrics[metric].is_number()) return std::nullopt;
  return p.metrics[metric].get<double>();
}

Json PackageJson(const mlops::ModelPackage& p, const std::string& metric) {
  Json j = ModelPackageResultJson(p);
  std::optional<double> value = MetricOf(p, metric);
  j["MetricValue"] = value ? Json(*value) : Json();
  return j;
}

}  // namespace

runtime::StepResult CompareModelStep::Invoke(const runtime::TaskRequest& request) {
  const Json& in = request.input;
  if (!in.is_object()) return CompareError("Mlflow.InvalidInput", "the input must be an object");
  if (!in.contains("ModelGroup") || !in["ModelGroup"].is_string()) {
    return CompareError("Mlflow.InvalidInput", "ModelGroup (a string) is required");
  }
  const std::string group = in["ModelGroup"].get<std::string>();
  const int64_t version = in.contains("Candidate") ? CandidateVersion(in["Candidate"]) : 0;
  if (version <= 0) {
    return CompareError("Mlflow.InvalidInput",
                "Candidate must be a version number, {\"ModelPackageVersion\": n} or "
                "{\"ModelPackageArn\": ...}");
  }
  std::string metric = "validation:rmse";
  std::string alias = "champion";
  bool promote = false;
  if (in.contains("Metric")) {
    if (!in["Metric"].is_string()) return CompareError("Mlflow.InvalidInput", "Metric must be a string");
    metric = in["Metric"].get<std::string>();
  }
  if (in.contains("Alias")) {
    if (!in["Alias"].is_string()) return CompareError("Mlflow.InvalidInput", "Alias must be a string");
    alias = in["Alias"].get<std::string>();
  }
  if (in.contains("Promote")) {
    if (!in["Promote"].is_boolean()) {
      return CompareError("Mlflow.InvalidInput", "Promote must be true or false");
    }
    promote = in["Promote"].get<bool>();
  }
  bool maximize = MaximizeByDefault(metric);
  if (in.contains("Direction")) {
    const Json& d = in["Direction"];
    if (d != "Minimize" && d != "Maximize") {
      return CompareError("Mlflow.InvalidInput", "Direction must be \"Minimize\" or \"Maximize\"");
    }
    maximize = d == "Maximize";
  }
  if (std::string why = mlops::CheckAliasName(alias); !why.empty()) {
    return CompareError("Mlflow.InvalidInput", fmt::format("Alias '{}': {}", alias, why));
  }

  StatusOr<mlops::ModelPackage> candidate = models_->GetModelPackage(group, version);
  if (!candidate.ok()) return CompareStatusError(candidate.status());
  std::optional<double> candidate_value = MetricOf(*candidate, metric);
  if (!candidate_value) {
    return CompareError("Mlflow.MetricNotFound",
                fmt::format("version {} of '{}' has no metric '{}'", version, group, metric));
  }
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    StatusOr<std::optional<mlops::ModelPackage>> champion =
        models_->GetAliasedPackage(group, alias);
    if (!champion.ok()) return CompareStatusError(champion.status());
    // At-least-once: a resumed execution runs the comparison that was in
    // flight at a crash again. When this execution already moved the alias
    // to the candidate, the answer is the first run's: compared with the
    // champion it replaced, promoted.
    std::optional<mlops::ModelPackage> compared_with = *champion;
    bool promoted_before = false;
    if (promote && compared_with && compared_with->version == version &&
        !request.execution_arn.empty()) {
      StatusOr<std::vector<mlops::AliasMove>> moves = models_->ListAliasMoves(group);
      if (!moves.ok()) return CompareStatusError(moves.status());
      for (auto m = moves->rbegin(); m != moves->rend(); ++m) {
        if (m->alias != alias) continue;
        if (m->to_version == version && m->moved_by == request.execution_arn) {
          promoted_before = true;
          compared_with.reset();
          if (m->from_version) {
            StatusOr<mlops::ModelPackage> before = models_->GetModelPackage(group, *m->from_version);
            if (!before.ok()) return CompareStatusError(before.status());
            compared_with = *before;
          }
        }
        break;  // only the alias's last move
      }
    }
    Json out{{"Metric", metric}, {"Alias", alias}, {"Promoted", false},
             {"Candidate", PackageJson(*candidate, metric)}, {"Champion", nullptr}};
    std::optional<int64_t> champion_version;
    bool better = false;
    if (!compared_with) {
      better = true;
      out["Reason"] = fmt::format("no {} yet in '{}'", alias, group);
    } else {
      const mlops::ModelPackage& current = *compared_with;
      champion_version = current.version;
      out["Champion"] = PackageJson(current, metric);
      std::optional<double> current_value = MetricOf(current, metric);
      if (current.version == version) {
        out["Reason"] = fmt::format("version {} is already the {}", version, alias);
      } else if (!current_value) {
        return CompareError("Mlflow.MetricNotFound",
                    fmt::format("the {} (version {} of '{}') has no metric '{}'", alias,
                                current.version, group, metric));
      } else {
        better = maximize ? *candidate_value > *current_value
                          : *candidate_value < *current_value;
        const char* op = better ? (maximize ? ">" : "<") : (maximize ? "<=" : ">=");
        out["Reason"] = fmt::format("{} {} {} {}'s {}", metric, *candidate_value, op, alias,
                                    *current_value);
      }
    }
    out["IsBetter"] = better;
    if (promoted_before) {
      out["Promoted"] = true;
      return out;
    }
    if (!better || !promote) return out;
    mlops::SetAliasRequest move;
    move.group = group;
    move.alias = alias;
    move.version = version;
    move.moved_by = request.execution_arn.empty() ? "unknown" : request.execution_arn;
    move.expected_current = champion_version;
    StatusOr<mlops::AliasMove> moved = models_->SetAlias(move);
    if (moved.ok()) {
      out["Promoted"] = true;
      return out;
    }
    if (moved.status().code() != StatusCode::kAborted) return CompareStatusError(moved.status());
  }
  return CompareError("Mlflow.StoreError",
              fmt::format("the {} of '{}' kept changing during the comparison", alias, group));
}

}  // namespace mlflowctl::steps
