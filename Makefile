# mlflowctl: `make run` and `make test` do everything on a fresh Debian machine.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
SANITIZE ?=
JOBS ?= $(shell nproc)
CMAKE_FLAGS = -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DMLF_SANITIZE=$(SANITIZE)

# Debian packages the build and the tests need.
DEB_PACKAGES = build-essential cmake ninja-build pkg-config python3 \
  libboost-dev nlohmann-json3-dev libfmt-dev libcli11-dev libsqlite3-dev \
  libgtest-dev libgmock-dev sqlite3 libeigen3-dev libxgboost-dev

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

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The ASan+UBSan build, in its own directory.
test-asan:
	$(MAKE) test BUILD=build-asan BUILD_TYPE=Debug SANITIZE=address,undefined

run: build
	$(BUILD)/mlflowctl run workflows/training.json

# mlflowctl beside aws-local-stepfunctions; Release build in build-bench, writes bench/RESULTS.md.
.PHONY: bench
bench: ; bash bench/run.sh

clean:
	rm -rf build build-asan
