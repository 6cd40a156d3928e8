package bench

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the p-th percentile (0 < p <= 100) of sorted by the
// nearest-rank method: the smallest sample such that at least p% of the
// samples are less than or equal to it. It returns 0 for no samples.
// Nearest rank never invents a latency nobody observed, which an
// interpolating method would.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 || p <= 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// Millis is a duration reported in milliseconds.
type Millis float64

func ms(d time.Duration) Millis {
	return Millis(math.Round(float64(d)/float64(time.Millisecond)*1000) / 1000)
}

// Result is what one scenario or baseline measured over its window.
type Result struct {
	Name    string `json:"name"`
	Clients int    `json:"clients"`
	// Requests is the number of operations that succeeded and ended inside
	// the measurement window; latencies are over these.
	Requests int64 `json:"requests"`
	// Errors counts every failed operation, warm-up and drain included,
	// but shed ones.
	Errors int64 `json:"errors"`
	// Shed counts answers by which the server refused work on purpose
	// (503 with Retry-After); the client waited as told and went on.
	Shed         int64    `json:"shed"`
	ErrorSamples []string `json:"error_samples,omitempty"`
	Seconds      float64  `json:"seconds"`
	PerSecond    float64  `json:"per_second"`
	Mean         Millis   `json:"mean_ms"`
	P50          Millis   `json:"p50_ms"`
	P90          Millis   `json:"p90_ms"`
	P99          Millis   `json:"p99_ms"`
	Max          Millis   `json:"max_ms"`
	// CPUPerOp is the CPU time (user + system) the serving process spent
	// per successful operation: the server child for HTTP scenarios and
	// baselines, this process for verify, argon2id and raw-signature (and
	// for everything with --in-process, load generator included).
	CPUPerOp Millis `json:"cpu_ms_per_op,omitempty"`
	// LoadCPUPerOp is the load generator's CPU time per operation (0 when
	// it serves too), and MachineCPUPerOp the busy time of all the
	// machine's cores per operation. On a machine that runs nothing else,
	// MachineCPUPerOp - CPUPerOp - LoadCPUPerOp is the database's share
	// (and the kernel's, outside the two processes); when the machine is
	// CPU-bound, cores / MachineCPUPerOp is the rate.
	LoadCPUPerOp    Millis `json:"load_cpu_ms_per_op,omitempty"`
	MachineCPUPerOp Millis `json:"machine_cpu_ms_per_op,omitempty"`
}

// RestCPUPerOp is the machine's CPU time per operation outside the serving
// process and the load generator (0 when unknown).
func (r Result) RestCPUPerOp() Millis {
	if r.MachineCPUPerOp <= 0 || r.CPUPerOp <= 0 {
		return 0
	}
	rest := r.MachineCPUPerOp - r.CPUPerOp - r.LoadCPUPerOp
	return Millis(math.Round(float64(max(rest, 0))*1000) / 1000)
}

// perSecond is n operations over window; 0 for an empty window.
func perSecond(n int, window time.Duration) float64 {
	if window <= 0 {
		return 0
	}
	return float64(n) / window.Seconds()
}

// summarize fills r's throughput and latency figures from the successful
// operations' latencies over a window of the given length. It sorts
// samples in place.
func summarize(r *Result, samples []time.Duration, window time.Duration) {
	slices.Sort(samples)
	r.Requests = int64(len(samples))
	r.Seconds = math.Round(window.Seconds()*1000) / 1000
	r.PerSecond = math.Round(perSecond(len(samples), window)*10) / 10
	if len(samples) == 0 {
		return
	}
	var sum time.Duration
	for _, s := range samples {
		sum += s
	}
	r.Mean = ms(sum / time.Duration(len(samples)))
	r.P50 = ms(Percentile(samples, 50))
	r.P90 = ms(Percentile(samples, 90))
	r.P99 = ms(Percentile(samples, 99))
	r.Max = ms(samples[len(samples)-1])
}
