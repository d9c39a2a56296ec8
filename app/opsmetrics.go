package app

import (
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"
)

// writerQueue is the store's writer queue, as the metrics see it.
type writerQueue interface {
	QueueLen() int
	QueueCap() int
}

// registerOpsMetrics exports what an operator is woken for besides
// failed saves: the writer's queue, and the space left for the database
// (SQLite only; PostgreSQL's disk is its own server's to watch).
func registerOpsMetrics(reg *prometheus.Registry, st writerQueue, db string, postgres bool) {
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "goldmine_store_queue",
			Help: "Writes waiting for the store's writer."}, func() float64 { return float64(st.QueueLen()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "goldmine_store_queue_capacity",
			Help: "Writes the store's writer queue holds."}, func() float64 { return float64(st.QueueCap()) }),
	)
	if postgres {
		return
	}
	dir := filepath.Dir(db)
	if _, ok := diskFree(dir); !ok {
		return
	}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "goldmine_disk_free_bytes",
		Help: "Bytes free on the file system of the SQLite database."}, func() float64 {
		n, _ := diskFree(dir)
		return float64(n)
	}))
}
