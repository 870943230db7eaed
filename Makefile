# mlflowctl: `make run` and `make test` do everything on a fresh Debian machine.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
SANITIZE ?=
JOBS ?= $(shell nproc)
# Unity build: each module's sources compiled as a few large files, so the
# heavy headers (nlohmann, Boost.Asio/Beast, fmt, GoogleTest) are parsed once
# per batch and the code they share is compiled once per batch: a fresh
# build takes about a third of the time. UNITY=OFF builds file by file
# (quicker to rebuild after editing one file). Applies when BUILD is
# configured, i.e. on a fresh or deleted BUILD directory.
UNITY ?= ON
CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DMLF_SANITIZE=$(SANITIZE) -DCMAKE_UNITY_BUILD=$(UNITY)

# Debian packages the build and the tests need.
DEB_PACKAGES = build-essential cmake ninja-build pkg-config python3 \
  libboost-dev nlohmann-json3-dev libfmt-dev libcli11-dev libsqlite3-dev \
  libgtest-dev libgmock-dev sqlite3 libeigen3-dev libxgboost-dev \
  libhowardhinnant-date-dev tzdata curl awscli python3-boto3

.PHONY: all deps build test run asan test-asan clean

all: build

# Installs whatever of DEB_PACKAGES is missing (needs root or sudo).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

CTEST_ARGS ?=
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The ASan+UBSan build, in its own directory. crash_test (kill -9 of `run`
# at seeded moments, a durability test) runs in `make test` only: under ASan
# it takes over 3 minutes, and the code it kills and resumes runs under ASan
# in the resume unit tests and in serve_crash_test.
test-asan:
	$(MAKE) test BUILD=build-asan BUILD_TYPE=Debug SANITIZE=address,undefined CTEST_ARGS='-E ^crash_test$$'

run: build
	$(BUILD)/mlflowctl run workflows/training.json

# mlflowctl beside aws-local-stepfunctions; Release build in build-bench, writes bench/RESULTS.md.
.PHONY: bench
bench: ; bash bench/run.sh
# The server: an endpoint under wrk beside nginx, StartExecution over the API;
# writes the serve section of bench/RESULTS.md.
.PHONY: bench-serve
bench-serve: ; bash bench/serve.sh
# 10,000 concurrent executions, history queries over 1,000,000 events, memory
# per waiting execution; writes the scale section of bench/RESULTS.md.
.PHONY: bench-scale
bench-scale: ; bash bench/scale.sh

# libFuzzer targets (tests/fuzz/): a clang build in build-fuzz, then each
# target runs FUZZ_SECONDS on a copy of its corpus plus the generated deep
# seeds (the tree is not written). Fails if any target finds a crash, leak,
# timeout or out-of-memory input; those are saved in build-fuzz/findings/.
# Needs clang and libFuzzer's runtime (Debian: clang libclang-rt-14-dev).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= definition jsonpath intrinsics api_body
.PHONY: fuzz
fuzz:
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMLF_FUZZ=ON -DCMAKE_UNITY_BUILD=$(UNITY)
	cmake --build build-fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	rm -rf build-fuzz/run && mkdir -p build-fuzz/run build-fuzz/findings
	python3 tests/fuzz/deep_seeds.py build-fuzz/run/deep
	@status=0; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build-fuzz/run/$$t && cp -R tests/fuzz/corpus/$$t/. build-fuzz/run/$$t/; \
	  echo "== fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  build-fuzz/tests/fuzz/fuzz_$$t build-fuzz/run/$$t build-fuzz/run/deep/$$t \
	    -dict=tests/fuzz/dict/$$t.dict -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
	    -timeout=10 -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/findings/$$t- || { echo "fuzz_$$t FAILED"; status=1; }; \
	done; exit $$status

clean:
	rm -rf build build-asan
