// ParametersStep: the parameter store's Task resources, with SSM Parameter
// Store semantics (engine/mlops/parameter_store.h):
//   arn:aws:states:::aws-sdk:ssm:putParameter
//     {Name, Value, Type, Overwrite, Description, Tier} -> {"Version", "Tier"}
//   arn:aws:states:::aws-sdk:ssm:getParameter
//     {Name ("name" or "name:version"), WithDecryption}
//     -> {"Parameter": {Name, Type, Value, Version, LastModifiedDate, ARN,
//                       DataType[, Selector]}}
//   arn:aws:states:::aws-sdk:ssm:getParametersByPath
//     {Path, Recursive, WithDecryption, MaxResults, NextToken}
//     -> {"Parameters": [...], "NextToken"?}
//   arn:aws:states:::aws-sdk:ssm:getParameterHistory
//     {Name, WithDecryption, MaxResults, NextToken} -> {"Parameters": [...]}
//   mlflowctl:parameters (short form, all puts in one transaction)
//     {"Put": {"/mlflowctl/model-name": "x", ...}, "Overwrite": true,
//      "Get": ["/a", ...]} -> {"Versions": {name: n}, "Parameters": {name: value}}
//     Put values: strings are String, arrays of strings StringList, anything
//     else its JSON text; Overwrite defaults to true.
// Dates are ISO 8601 strings. A SecureString value reads as "****" unless
// WithDecryption is true. Errors are named as Step Functions names an AWS
// SDK integration's errors: Ssm.ParameterAlreadyExistsException,
// Ssm.ParameterNotFoundException, Ssm.ParameterVersionNotFoundException,
// Ssm.ValidationException, Ssm.HierarchyLevelLimitExceededException,
// Ssm.UnsupportedParameterTypeException, Ssm.InternalServerErrorException
// (Mlflow.InvalidInput and Mlflow.StoreError for mlflowctl:parameters'
// own input and store failures). Thread-safe (the store is).
#ifndef MLFLOWCTL_STEPS_PARAMETERS_STEP_H_
#define MLFLOWCTL_STEPS_PARAMETERS_STEP_H_

#include "engine/mlops/parameter_store.h"
#include "engine/runtime/task_handler.h"

namespace mlflowctl::steps {

inline constexpr char kParametersResource[] = "mlflowctl:parameters";
inline constexpr char kSsmPutParameterResource[] =
    "arn:aws:states:::aws-sdk:ssm:putParameter";
inline constexpr char kSsmGetParameterResource[] =
    "arn:aws:states:::aws-sdk:ssm:getParameter";
inline constexpr char kSsmGetParametersByPathResource[] =
    "arn:aws:states:::aws-sdk:ssm:getParametersByPath";
inline constexpr char kSsmGetParameterHistoryResource[] =
    "arn:aws:states:::aws-sdk:ssm:getParameterHistory";

class ParametersStep : public runtime::TaskHandler {
 public:
  // `parameters` is not owned and must outlive the step.
  explicit ParametersStep(mlops::ParameterStore* parameters)
      : parameters_(parameters) {}
  // Dispatches on request.resource (one of the resources above).
  runtime::StepResult Invoke(const runtime::TaskRequest& request) override;

 private:
  runtime::StepResult PutParameter(const runtime::TaskRequest& request);
  runtime::StepResult GetParameter(const runtime::TaskRequest& request);
  runtime::StepResult GetParametersByPath(const runtime::TaskRequest& request);
  runtime::StepResult GetParameterHistory(const runtime::TaskRequest& request);
  runtime::StepResult ShortForm(const runtime::TaskRequest& request);

  mlops::ParameterStore* parameters_;
};

}  // namespace mlflowctl::steps

#endif  // MLFLOWCTL_STEPS_PARAMETERS_STEP_H_
