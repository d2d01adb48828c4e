# llmdse — plain Makefile. `make` builds ./llmdse; `make test` runs the cmocka tests;
# `make check` runs them under AddressSanitizer + UndefinedBehaviorSanitizer; `make bench`
# prints evaluations per second (and shards vs one process). Folders and dependencies: ../shared/DESIGN.md, docs/.
CC      ?= cc
CFLAGS  ?= -O2 -g
OMP     := -fopenmp
WARN    := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
CPPFLAGS += -DLLMDSE_CONFIGS_BUILD_DIR='"$(CURDIR)/configs"'
LDLIBS  := -lnlopt -lglpk -lcjson -lm -fopenmp
# float-cast-overflow ((int)1e300) is not part of -fsanitize=undefined in gcc or clang
SAN     := -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
           -fno-sanitize-recover=all

CORE_SRC := configs/schema.c configs/configs.c configs/spacefile.c configs/summary.c \
            configs/update.c configs/serving.c configs/bands.c configs/input.c configs/json.c configs/escape.c \
            configs/engine.c configs/bench.c configs/recommendation.c \
            cost/primitives.c cost/power.c cost/layer.c cost/serve.c cost/disagg.c cost/uncertainty.c \
            space/space.c \
            search/pareto.c search/explore.c search/hypervolume.c \
            search/optimize.c search/recommend.c search/fleet.c search/inputs.c search/slo.c search/robust.c search/disagg.c \
            reports/outdir.c reports/tables.c reports/explore.c \
            reports/recommend.c reports/fleet.c reports/html.c reports/run.c reports/page.c \
            reports/merge.c reports/sku.c reports/front.c reports/frontindex.c reports/scatter.c \
            reports/deploy.c reports/disagg.c \
            skucheck/skucheck.c \
            validate/plan.c validate/measure.c validate/compare.c validate/calibrate.c \
            validate/e2e.c validate/bands.c validate/table.c
TEST_SRC := tests/test_configs.c tests/test_cost.c tests/test_fidelity.c tests/test_reports.c \
            tests/test_search.c tests/test_recommend.c tests/test_validate.c tests/test_e2e.c \
            tests/test_bands.c tests/test_disagg.c

# the commands (cmd/, one file each): only in the llmdse binary
CMD_SRC  := cmd/common.c cmd/disagg.c cmd/eval.c cmd/ops.c cmd/kernel.c cmd/explore.c cmd/search.c \
            cmd/merge.c cmd/recommend.c cmd/validate.c cmd/calibrate.c cmd/report.c \
            cmd/skucheck.c cmd/list.c cmd/deploy.c

B := build
CORE_OBJ := $(CORE_SRC:%.c=$(B)/%.o)
SAN_OBJ  := $(CORE_SRC:%.c=$(B)/san/%.o)
CMD_OBJ  := $(CMD_SRC:%.c=$(B)/%.o)
SAN_CMD_OBJ := $(CMD_SRC:%.c=$(B)/san/%.o)
TESTS    := $(TEST_SRC:tests/%.c=$(B)/%)
SAN_TESTS:= $(TEST_SRC:tests/%.c=$(B)/san/%)

.PHONY: all test check bench clean validate sku-check fuzz golden bands
all: llmdse

llmdse: $(B)/llmdse.o $(CMD_OBJ) $(CORE_OBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# each object depends on the headers it includes (-MMD writes build/.../X.d, read below)
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) $(OMP) -MMD -MP -c -o $@ $<

$(B)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O1 -g $(SAN) $(OMP) -MMD -MP -c -o $@ $<

-include $(shell find $(B) -name '*.d' 2>/dev/null)

$(B)/test_%: tests/test_%.c tests/testutil.h $(CORE_OBJ)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -MMD -MP -o $@ $< $(CORE_OBJ) $(LDLIBS) -lcmocka

$(B)/san/test_%: tests/test_%.c tests/testutil.h $(SAN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O1 -g $(SAN) -MMD -MP -o $@ $< $(SAN_OBJ) $(LDLIBS) -lcmocka

$(B)/san/llmdse: $(B)/san/llmdse.o $(SAN_CMD_OBJ) $(SAN_OBJ)
	$(CC) -g $(SAN) -o $@ $^ $(LDLIBS)

# Unit tests, then the command-line tests (exit codes, messages, no partial output), then the
# golden files (tests/golden.sh: outputs byte for byte, timing masked), then the Slurm job
# array under a real single-node Slurm it starts and stops (tests/slurm.sh), then the
# CUDA runner is compiled (never run) where nvcc exists: the core needs no nvcc.
test: llmdse $(TESTS)
	@set -e; for t in $(TESTS); do echo "== $$t"; ./$$t; done
	@LLMDSE=./llmdse sh tests/cli.sh
	@LLMDSE=./llmdse sh tests/golden.sh
	@LLMDSE=./llmdse bash tests/slurm.sh
	@if [ -x "$(NVCC)" ] || command -v "$(NVCC)" >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory validate && echo "== validate/runner.cu compiled"; \
	else echo "== nvcc not found: the CUDA runner (make validate) was not compiled"; fi

check: $(B)/san/llmdse $(SAN_TESTS)
	@set -e; for t in $(SAN_TESTS); do echo "== $$t (asan+ubsan)"; ./$$t; done
	@LLMDSE=./$(B)/san/llmdse LLMDSE_NO_VALGRIND=1 sh tests/cli.sh
	@LLMDSE=./$(B)/san/llmdse CLI_FUZZ_RUNS=150 sh tests/fuzz/cli_fuzz.sh

$(B)/bench: tests/bench.c $(CORE_OBJ)
	$(CC) $(CPPFLAGS) $(WARN) $(CFLAGS) -o $@ $< $(CORE_OBJ) $(LDLIBS)

# then the shards (tests/bench_shards.sh): one process vs N shards at once on N cores
bench: $(B)/bench llmdse
	./$(B)/bench
	LLMDSE=./llmdse bash tests/bench_shards.sh

# The CUDA runner (validate/runner.cu): nvcc and the toolkit's cuBLAS only; NVML is loaded at
# run time. Built for Ampere (sm_80) and Hopper (sm_90), with PTX for newer GPUs.
NVCC ?= $(shell command -v nvcc 2>/dev/null || echo /usr/local/cuda/bin/nvcc)
NVFLAGS := -O2 -std=c++17 -Xcompiler -Wall \
           -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=[sm_90,compute_90]
validate: $(B)/llmdse-runner
$(B)/llmdse-runner: validate/runner.cu
	@mkdir -p $(B)
	$(NVCC) $(NVFLAGS) -o $@ $< -lcublasLt -lcublas -ldl

# libFuzzer harnesses (clang), one per parser, run from the committed seed corpus in
# tests/fuzz/corpus/NAME (new inputs go to build/fuzz/NAME, findings to build/fuzz/NAME-crash-*);
# then the command-line fuzz. By default a fixed seed and a fixed number of inputs per harness,
# so a run is reproducible (what passes here passes in CI); a campaign:
#   make fuzz FUZZ_RUNS=-1 FUZZ_SECONDS=600
FUZZ_RUNS ?= 300000
FUZZ_SEED ?= 1
FUZZ_SECONDS ?= 120
FUZZ_CC ?= $(shell command -v clang || command -v clang-14 || echo clang)
FUZZERS := model gpu workload space measure plan serving summary front bands bench recommendation
FUZZ_SRC := configs/schema.c configs/configs.c configs/spacefile.c configs/summary.c configs/update.c \
            configs/serving.c configs/input.c configs/bands.c configs/bench.c configs/recommendation.c \
            cost/primitives.c cost/power.c cost/layer.c cost/serve.c cost/disagg.c cost/uncertainty.c space/space.c \
            configs/json.c configs/escape.c reports/tables.c validate/measure.c validate/plan.c \
            validate/compare.c reports/frontindex.c search/slo.c
# the sources the harnesses share are compiled once (instrumented, not linked with libFuzzer's
# main), each harness is tests/fuzz/fuzz.c with its -DFUZZ_NAME linked against them
FUZZ_SAN := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
FUZZ_OBJ := $(FUZZ_SRC:%.c=$(B)/fuzzobj/%.o)
.SECONDARY: $(FUZZ_OBJ)
$(B)/fuzzobj/%.o: %.c $(wildcard */*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer-no-link $(FUZZ_SAN) \
	    -c -o $@ $<
$(B)/fuzz/fuzz_%: tests/fuzz/fuzz.c $(FUZZ_OBJ) $(wildcard */*.h) validate/planline.h
	@mkdir -p $(B)/fuzz
	$(FUZZ_CC) $(CPPFLAGS) -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) \
	    -DFUZZ_$(shell echo $* | tr a-z A-Z) -o $@ tests/fuzz/fuzz.c $(FUZZ_OBJ) -lcjson -lm
fuzz: llmdse $(FUZZERS:%=$(B)/fuzz/fuzz_%)
	@set -e; for f in $(FUZZERS); do \
	    mkdir -p $(B)/fuzz/$$f; echo "== fuzz $$f: $(FUZZ_RUNS) inputs, seed $(FUZZ_SEED), at most $(FUZZ_SECONDS) s"; \
	    ./$(B)/fuzz/fuzz_$$f -runs=$(FUZZ_RUNS) -seed=$(FUZZ_SEED) -max_total_time=$(FUZZ_SECONDS) \
	        -timeout=10 -rss_limit_mb=2048 \
	        -max_len=65536 -dict=tests/fuzz/json.dict -artifact_prefix=$(B)/fuzz/$$f- \
	        -print_final_stats=1 $(B)/fuzz/$$f tests/fuzz/corpus/$$f 2>&1 | \
	        grep -E "stat::number_of_executed_units|ERROR|SUMMARY|crash-" || true; \
	    if ls $(B)/fuzz | grep -qE "^$$f-(crash|leak|timeout|oom|slow-unit)-"; \
	    then echo "fuzz $$f: FINDING in $(B)/fuzz/ (make it a regression test)"; exit 1; fi; done
	@LLMDSE=./llmdse sh tests/fuzz/cli_fuzz.sh

# The CI job for a new GPU SKU: make sku-check GPU=path/to/gpu.json [ARGS="--baseline DIR"]
sku-check: llmdse
	@test -n "$(GPU)" || { echo "usage: make sku-check GPU=path/to/gpu.json [ARGS=...]"; exit 2; }
	./llmdse sku-check $(GPU) $(ARGS)

# Regenerates tests/golden/ from this build: only on purpose, when an output is meant to change
# (review the diff before committing it).
golden: llmdse
	LLMDSE=./llmdse sh tests/golden.sh --update

# The uncertainty bands from the out-of-fit residuals on ../shared (or $$LLMDSE_SHARED), after
# a change of the model or the data; tests/test_bands.c fails until they are regenerated.
bands: llmdse
	./llmdse validate bands -o configs/calibration/bands.json

clean:
	rm -rf $(B) llmdse
