// Interpreter: Parallel and Map states, which run child frames concurrently.
#include <exception>

#include <fmt/format.h>

#include "engine/runtime/interpreter.h"
#include "engine/runtime/signal.h"

namespace mlflowctl::runtime {

Awaitable<Interpreter::ChildResult> Interpreter::RunChildren(
    Frame& parent, std::size_t count, std::size_t limit,
    std::function<std::optional<Error>(std::size_t, Frame&, Json&)> make,
    std::function<void(std::size_t, Frame&, const Outcome&)> on_done,
    std::function<bool(std::size_t failures)> tolerated) {
  ChildResult result;
  result.outcomes.resize(count);
  if (count == 0) co_return result;
  if (limit == 0 || limit > count) limit = count;

  CancelToken group(parent.cancel);
  // The ParallelStateStarted / MapStateStarted event: names the children's
  // frames (replay.h).
  const int64_t group_id = parent.last_event_id;
  std::vector<std::unique_ptr<Frame>> frames(count);
  Signal all_done(engine_.io());
  std::size_t launched = 0, finished = 0, failures = 0;
  bool stopping = false;

  std::function<void()> launch_next;
  auto finish_one = [&](std::size_t i, Outcome outcome) {
    ++finished;
    on_done(i, *frames[i], outcome);
    // The child is done with its copy of $$ and of the variables.
    frames[i]->context = Json();
    frames[i]->variables = Json();
    if (outcome.failed() && !IsCancelled(*outcome.error)) {
      ++failures;
      if (!tolerated(failures) && !result.error) {
        result.error = outcome.error;
        stopping = true;
        group.Cancel();  // Parallel and Map fail fast: stop the others.
      }
    }
    result.outcomes[i] = std::move(outcome);
    if (!stopping && launched < count && !Cancelled(parent)) launch_next();
    if (finished == launched && (stopping || launched == count || Cancelled(parent))) {
      all_done.Notify();
    }
  };
  launch_next = [&]() {
    std::size_t i = launched++;
    auto frame = std::make_unique<Frame>();
    frame->execution = parent.execution;
    frame->cancel = &group;
    frame->inherit_from = &parent;  // context and variables, when it starts
    frame->last_event_id = parent.last_event_id;
    frame->key = ChildFrameKey(parent.key, group_id, i);
    AttachReplay(*frame);
    Json input;
    std::optional<Error> error = make(i, *frame, input);
    frames[i] = std::move(frame);
    if (error) {
      finish_one(i, Outcome{{}, *error});
      return;
    }
    asio::co_spawn(engine_.io(), RunStates(*frames[i], std::move(input)),
                   [&finish_one, i](std::exception_ptr ep, Outcome outcome) {
                     if (ep) {
                       try {
                         std::rethrow_exception(ep);
                       } catch (const std::exception& e) {
                         outcome = Outcome{{}, Error{error_names::kRuntime, e.what()}};
                       } catch (...) {
                         outcome = Outcome{{}, Error{error_names::kRuntime, "unknown"}};
                       }
                     }
                     finish_one(i, std::move(outcome));
                   });
  };
  while (launched < limit && !stopping) launch_next();
  co_await all_done.Wait();
  if (Cancelled(parent) && !result.error) result.error = CancelledError();
  co_return result;
}

Awaitable<StepOutcome> Interpreter::RunParallel(Frame& frame, const asl::State& state,
                                                const Json& input) {
  StepOutcome out;
  Value effective = SelectPath(frame, state.input_path, input, "InputPath");
  if (auto* e = std::get_if<Error>(&effective)) {
    out.error = StateRuntimeError(state, frame.entered_event_id, *e);
    co_return out;
  }
  Json data = std::get<Json>(std::move(effective));
  if (state.parameters) {
    Value p = EvalTemplate(frame, *state.parameters, data);
    if (auto* e = std::get_if<Error>(&p)) {
      out.error = StateRuntimeError(state, frame.entered_event_id, *e);
      co_return out;
    }
    data = std::get<Json>(std::move(p));
  }
  Value result = co_await WithRetry(
      frame, state, [&](Frame& f, int) -> Awaitable<Value> {
        Emit(f, "ParallelStateStarted", Json());
        ChildResult children = co_await RunChildren(
            f, state.branches.size(), 0,
            [&](std::size_t i, Frame& child, Json& child_input) -> std::optional<Error> {
              child.machine = state.branches[i].get();
              child_input = data;
              return std::nullopt;
            },
            [](std::size_t, Frame&, const Outcome&) {},
            [](std::size_t) { return false; });
        if (children.error) {
          if (!IsCancelled(*children.error)) {
            Emit(f, "ParallelStateFailed",
                 Json{{"error", children.error->name}, {"cause", children.error->cause}});
          }
          co_return *children.error;
        }
        Json outputs = Json::array();
        for (Outcome& o : children.outcomes) outputs.push_back(std::move(o.output));
        Emit(f, "ParallelStateSucceeded", Json());
        co_return outputs;
      });
  if (auto* e = std::get_if<Error>(&result)) {
    out.error = *e;
    co_return out;
  }
  co_return FinishWithResult(frame, state, input, std::get<Json>(std::move(result)));
}

Awaitable<StepOutcome> Interpreter::RunMap(Frame& frame, const asl::State& state,
                                           const Json& input) {
  StepOutcome out;
  auto fail = [&](const Error& e) {
    out.error = StateRuntimeError(state, frame.entered_event_id, e);
  };
  Value selected;
  const Json* effective =
      SelectPathRef(frame, state.input_path, input, "InputPath", selected);
  if (effective == nullptr) {
    fail(std::get<Error>(selected));
    co_return out;
  }
  const Json& data = *effective;
  std::optional<Json> selected_items;
  if (state.items_path) {
    path::Selection items_sel = state.items_path->Evaluate(ScopeOf(frame, data));
    if (items_sel.error) {
      fail(*items_sel.error);
      co_return out;
    }
    selected_items = std::move(items_sel.value);
    if (!selected_items) {
      fail(Error{error_names::kRuntime,
                 fmt::format("Invalid path '{}' : No results for path: {}",
                             state.items_path->text(), state.items_path->text())});
      co_return out;
    }
  }
  const Json& items = selected_items ? *selected_items : data;
  if (!items.is_array()) {
    fail(Error{error_names::kRuntime,
               fmt::format("Map state input must be an array but was: {}",
                           items.type_name())});
    co_return out;
  }
  Value limit = ResolveInt(frame, state.max_concurrency, data, "MaxConcurrencyPath");
  Value tolerated_count =
      ResolveInt(frame, state.tolerated_failure_count, data, "ToleratedFailureCountPath");
  for (Value* v : {&limit, &tolerated_count}) {
    if (auto* e = std::get_if<Error>(v)) {
      fail(*e);
      co_return out;
    }
  }
  std::optional<double> tolerated_pct = state.tolerated_failure_percentage.value;
  if (state.tolerated_failure_percentage.path) {
    path::Selection pct_sel =
        state.tolerated_failure_percentage.path->Evaluate(ScopeOf(frame, data));
    if (pct_sel.error) {
      fail(*pct_sel.error);
      co_return out;
    }
    const std::optional<Json>& v = pct_sel.value;
    if (!v || !v->is_number() || v->get<double>() < 0 || v->get<double>() > 100) {
      fail(Error{error_names::kRuntime,
                 "ToleratedFailurePercentagePath must select a number from 0 to 100"});
      co_return out;
    }
    tolerated_pct = v->get<double>();
  }
  const std::size_t count = items.size();
  const std::size_t max_concurrency =
      std::get<Json>(limit).is_null() ? 0 : std::get<Json>(limit).get<std::size_t>();
  const Json& tc = std::get<Json>(tolerated_count);
  const bool has_tolerance = !tc.is_null() || tolerated_pct.has_value();
  auto tolerated = [&](std::size_t failures) {
    if (!has_tolerance) return false;
    if (!tc.is_null() && failures > tc.get<std::size_t>()) return false;
    if (tolerated_pct && count > 0 &&
        100.0 * static_cast<double>(failures) / static_cast<double>(count) > *tolerated_pct) {
      return false;
    }
    return true;
  };

  Value result = co_await WithRetry(
      frame, state, [&](Frame& f, int) -> Awaitable<Value> {
        Emit(f, "MapStateStarted", Json{{"length", count}});
        const int64_t started_id = f.last_event_id;
        // $$ as an iteration's ItemSelector sees it: f's context with
        // Map.Item set; one copy for all iterations.
        Json item_context;
        ChildResult children = co_await RunChildren(
            f, count, max_concurrency,
            [&](std::size_t i, Frame& child, Json& child_input) -> std::optional<Error> {
              child.machine = state.item_processor.get();
              child.last_event_id = started_id;
              Emit(child, "MapIterationStarted", Json{{"name", state.name}, {"index", i}});
              if (state.parameters) {
                if (item_context.is_null()) item_context = f.context;
                item_context["Map"] =
                    Json{{"Item", {{"Index", i}, {"Value", items[i]}}}};
                // A child's variables are f's until it starts.
                path::Scope scope = ScopeOf(f, data);
                scope.context = &item_context;
                Value v = state.parameters->Evaluate(scope, random_);
                if (auto* e = std::get_if<Error>(&v)) return *e;
                child_input = std::get<Json>(std::move(v));
              } else {
                child_input = items[i];
              }
              return std::nullopt;
            },
            [&](std::size_t i, Frame& child, const Outcome& o) {
              if (o.failed() && IsCancelled(*o.error)) {
                Emit(child, "MapIterationAborted", Json{{"name", state.name}, {"index", i}});
              } else {
                Emit(child, o.failed() ? "MapIterationFailed" : "MapIterationSucceeded",
                     Json{{"name", state.name}, {"index", i}});
              }
            },
            tolerated);
        if (children.error) {
          Error error = *children.error;
          if (has_tolerance && !IsCancelled(error)) {
            error = Error{error_names::kExceedToleratedFailureThreshold,
                          "The specified tolerated failure threshold was exceeded"};
          }
          if (!IsCancelled(error)) Emit(f, "MapStateFailed", Json());
          co_return error;
        }
        Json outputs = Json::array();
        for (Outcome& o : children.outcomes) {
          if (o.failed()) {
            outputs.push_back(Json{{"Error", o.error->name}, {"Cause", o.error->cause}});
          } else {
            outputs.push_back(std::move(o.output));
          }
        }
        Emit(f, "MapStateSucceeded", Json());
        co_return outputs;
      });
  if (auto* e = std::get_if<Error>(&result)) {
    out.error = *e;
    co_return out;
  }
  co_return FinishWithResult(frame, state, input, std::get<Json>(std::move(result)));
}

}  // namespace mlflowctl::runtime
