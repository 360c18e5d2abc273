# The two commands: `make up` (install, build, start Berth) and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc)
DATA_DIR ?= /var/lib/berth

.PHONY: all setup configure build up test unit integration bench format check-format tidy clean

all: build

setup:
	./scripts/setup

configure:
	@test -f $(BUILD)/build.ninja || cmake -S . -B $(BUILD) -G Ninja

build: setup configure
	cmake --build $(BUILD) -j $(JOBS)

up: build
	./$(BUILD)/berth up --data-dir $(DATA_DIR)

# Unit tests, then the integration tests (root: real crun, overlayfs, CNI, registry).
test: build check-format
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 300

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

integration: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L integration --timeout 300

bench: build
	./bench/pod_start.py --build $(BUILD)
	./bench/api_creates.py --build $(BUILD)
	./bench/server_rss.py --build $(BUILD)
	./bench/pod_startup.py --build $(BUILD)
	./bench/rolling_update.py --build $(BUILD)
	./bench/instances_start.py --build $(BUILD)
	./bench/reconcile_cpu.py --build $(BUILD)
	./bench/crun_floor.py --images $(BUILD)/test-registry/images

format:
	git ls-files --cached --others --exclude-standard '*.cc' '*.h' | xargs -r clang-format -i

check-format:
	git ls-files --cached --others --exclude-standard '*.cc' '*.h' | xargs -r clang-format --dry-run -Werror

# clang-tidy 14 (Debian 12) parses GCC 12's C++23 headers only with these: -std=c++2b (it does
# not know c++23), std::expected needs __cpp_concepts >= 202002, `if consteval` crashes a check,
# asio needs its co_await switch, fmt's consteval format strings crash clang 14. Copies of
# std::expected still draw "deleted function" diagnostics from clang 14 (a compiler gap).
TIDY_FLAGS = --extra-arg=-std=c++2b --extra-arg=-Wno-builtin-macro-redefined \
  --extra-arg=-Wno-macro-redefined --extra-arg=-U__cpp_if_consteval \
  --extra-arg=-D__cpp_concepts=202002L --extra-arg=-DBOOST_ASIO_HAS_CO_AWAIT=1 \
  --extra-arg=-DFMT_CONSTEVAL= --extra-arg=-ferror-limit=0

tidy: configure
	git ls-files 'src/*.cc' | xargs -r -n 1 -P $(JOBS) clang-tidy -p $(BUILD) --quiet $(TIDY_FLAGS)

clean:
	rm -rf $(BUILD)
