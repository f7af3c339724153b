# Makefile — the thin front door.  The build is Meson + Ninja; these
# targets install what is missing, build, and run.
#
#   make demo       install, build, create and serve the demo post
#   make test       install, build, run every test ("N passed, N failed")
#   make check      clang-tidy, cppcheck and clang-format over the sources
#   make sanitize   the whole test suite on an ASan + UBSan build
#   make tsan       the server's threads under ThreadSanitizer (scripts/tsan)
#   make fuzz       build the libFuzzer drivers and run each for FUZZ_SECONDS
#   make bench      the benchmarks in bench/
BUILD ?= build
SAN_BUILD ?= build-sanitize
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
DEMO_DIR ?= chancery-demo
LISTEN ?= 127.0.0.1:8443
DEVICE_LISTEN ?= 127.0.0.1:8444

.PHONY: all deps build demo test check format sanitize tsan fuzz bench clean

all: build

deps:
	@sh scripts/deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) >/dev/null

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD) >/dev/null || ninja -C $(BUILD)

demo: build
	./$(BUILD)/chancery demo --dir $(DEMO_DIR) --listen $(LISTEN) \
	    --device-listen $(DEVICE_LISTEN)

test: build
	@tests/run $(BUILD)

check: build
	@scripts/check $(BUILD)

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'fuzz/*.c' 'tools/*.c' 'bench/*.c')

sanitize: deps
	@[ -f $(SAN_BUILD)/build.ninja ] || meson setup $(SAN_BUILD) -Dsanitize=true -Dbuildtype=debug >/dev/null
	@ninja -C $(SAN_BUILD) >/dev/null || ninja -C $(SAN_BUILD)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    tests/run $(SAN_BUILD)

tsan: deps
	@scripts/tsan build-tsan

fuzz: deps
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Db_lundef=false >/dev/null
	@ninja -C $(FUZZ_BUILD) >/dev/null || ninja -C $(FUZZ_BUILD)
	@scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	@bench/run $(BUILD)

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD) build-tsan

.PHONY: security-check
security-check: build
	@scripts/security-check $(BUILD)
