//! Where the machine's CPU goes during a drain: each process's CPU time (user and system, from
//! `/proc/<pid>/stat`) between two marks, and the machine's busy share (from `/proc/stat`).
//!
//! A drain of ours runs beside PostgreSQL, NATS and the simulators on the same cores; when the
//! machine is busy most of the drain, the rate is bound by the CPU every order costs on the
//! way, not by the WMS's one call at a time, and the table says which process spends it. A
//! process that exits between the marks (a database session of a stopped service) takes its
//! time with it; the machine's busy time still counts it, under "other".

use std::collections::BTreeMap;

/// CPU time of every process and of the machine at one instant.
pub struct CpuMark {
    /// pid → what [`process_ticks`] read.
    processes: BTreeMap<u32, Ticks>,
    /// The machine's busy and total ticks over all cores.
    machine: (u64, u64),
}

/// CPU seconds between two marks.
#[derive(Debug, Default, Clone)]
pub struct CpuUse {
    /// By what the labeller named each process.
    pub by: BTreeMap<String, f64>,
    /// The machine's busy seconds (all cores) and its share of what the cores could give.
    pub machine_busy_s: f64,
    pub machine_busy_share: f64,
}

/// Clock ticks a second (`getconf CLK_TCK`; Linux's user-space value is 100 everywhere this
/// runs, asked rather than assumed).
fn ticks_per_second() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .expect("getconf CLK_TCK")
}

/// One process's CPU time so far.
struct Ticks {
    comm: String,
    /// When it started (ticks since boot): a pid reused between two marks is another process.
    /// The comm is no test of that, since a kernel worker renames itself by the work it does.
    started: u64,
    /// User and system time.
    used: u64,
}

/// What `/proc/<pid>/stat` says of `pid`; `None` when it is gone.
fn process_ticks(pid: u32) -> Option<Ticks> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so split at the last `)`.
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat[open + 1..close].to_owned();
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    // After the comm: state is field 3 of the line, utime 14, stime 15 and starttime 22.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let started: u64 = fields.get(19)?.parse().ok()?;
    Some(Ticks {
        comm,
        started,
        used: utime + stime,
    })
}

/// The machine's (busy, total) ticks: the first seven columns of `/proc/stat`'s `cpu` line
/// (user to softirq), idle and iowait not busy. Steal (time the hypervisor gave another
/// guest) is no time of this machine's, and guest time is already in user time, so those
/// columns are left out.
fn machine_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").expect("/proc/stat");
    let columns: Vec<u64> = stat
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("cpu "))
        .expect("a cpu line")
        .split_whitespace()
        .take(7)
        .map(|c| c.parse().expect("ticks"))
        .collect();
    let total: u64 = columns.iter().sum();
    let idle = columns[3] + columns.get(4).copied().unwrap_or(0);
    (total - idle, total)
}

impl CpuMark {
    pub fn now() -> Self {
        let processes = std::fs::read_dir("/proc")
            .expect("/proc")
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter_map(|pid| Some((pid, process_ticks(pid)?)))
            .collect();
        Self {
            processes,
            machine: machine_ticks(),
        }
    }

    /// The CPU used since this mark, each process's time under `label(pid, comm)`; the
    /// machine's busy time no process accounts for (exited ones, the kernel's threads) under
    /// "other".
    pub fn since(&self, label: impl Fn(u32, &str) -> String) -> CpuUse {
        let later = Self::now();
        let tick = ticks_per_second();
        let mut by: BTreeMap<String, f64> = BTreeMap::new();
        for (pid, now) in &later.processes {
            let before = match self.processes.get(pid) {
                Some(was) if was.started == now.started => was.used,
                _ => 0,
            };
            let used = now.used.saturating_sub(before);
            if used > 0 {
                *by.entry(label(*pid, &now.comm)).or_default() += used as f64 / tick;
            }
        }
        let busy = later.machine.0.saturating_sub(self.machine.0) as f64 / tick;
        let total = later.machine.1.saturating_sub(self.machine.1) as f64 / tick;
        let named: f64 = by.values().sum();
        if busy > named {
            *by.entry(OTHER.to_owned()).or_default() += busy - named;
        }
        CpuUse {
            by,
            machine_busy_s: busy,
            machine_busy_share: if total > 0.0 { busy / total } else { 0.0 },
        }
    }
}

/// What a process none of the labels name is counted under.
pub const OTHER: &str = "other";

/// The label of a process outside the runtime under test: the database, the bus, the bench's
/// own process (the simulators, and in the embedded shape the runtime), or [`OTHER`].
pub fn shared_label(pid: u32, comm: &str, bench: &str) -> String {
    if pid == std::process::id() {
        bench.to_owned()
    } else if comm == "postgres" {
        "postgres".to_owned()
    } else if comm.starts_with("nats-server") {
        "nats-server".to_owned()
    } else {
        OTHER.to_owned()
    }
}

/// The CPU table's columns.
pub const CPU_HEADERS: [&str; 3] = [
    "process",
    "ours: CPU ms per order",
    "minimal: CPU ms per order",
];

/// The CPU table's note.
pub const CPU_NOTE: &str = "CPU time (user and system, `/proc/<pid>/stat`) each process \
     spent during the import drain at 0 ms, per order written, for ours and for the minimal \
     client (the bench process holds both simulators, so the WMS's and Centra's own work is \
     there, and the bench's client; in the embedded shape also the runtime under test); \
     \"other\": the machine's busy time no running process accounts for (exited \
     processes, the kernel). The last rows: all of it per order, and the machine's busy share \
     of its cores during the drain. Median of the runs (min–max).";

/// The rows of the import drains' CPU: one per process label seen in any run (ours or the
/// minimal client's), then the machine's total per order and its busy share.
pub fn cpu_rows(ours: &[(&CpuUse, usize)], minimal: &[(&CpuUse, usize)]) -> Vec<Vec<String>> {
    let mut labels: Vec<String> = ours
        .iter()
        .chain(minimal)
        .flat_map(|(cpu, _)| cpu.by.keys())
        .filter(|label| label.as_str() != OTHER)
        .cloned()
        .collect::<std::collections::BTreeSet<String>>()
        .into_iter()
        .collect();
    labels.push(OTHER.to_owned());
    let per_order = |runs: &[(&CpuUse, usize)], f: &dyn Fn(&CpuUse) -> f64| {
        let values: Vec<f64> = runs
            .iter()
            .map(|(cpu, records)| f(cpu) * 1000.0 / (*records).max(1) as f64)
            .collect();
        super::spread(&values).show(2)
    };
    let mut rows: Vec<Vec<String>> = labels
        .into_iter()
        .map(|label| {
            let of = |cpu: &CpuUse| cpu.by.get(&label).copied().unwrap_or(0.0);
            let (in_ours, in_minimal) = (per_order(ours, &of), per_order(minimal, &of));
            vec![label, in_ours, in_minimal]
        })
        .collect();
    rows.push(vec![
        "all (the machine's busy time)".to_owned(),
        per_order(ours, &|c| c.machine_busy_s),
        per_order(minimal, &|c| c.machine_busy_s),
    ]);
    let share = |runs: &[(&CpuUse, usize)]| {
        let values: Vec<f64> = runs
            .iter()
            .map(|(c, _)| c.machine_busy_share * 100.0)
            .collect();
        format!("{} %", super::spread(&values).show(0))
    };
    rows.push(vec![
        "the machine's cores busy".to_owned(),
        share(ours),
        share(minimal),
    ]);
    rows
}
