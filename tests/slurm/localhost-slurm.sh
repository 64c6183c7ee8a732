#!/usr/bin/env bash
# A single-node Slurm on localhost, for tests/test_slurm.py. Root only.
#
#   tests/slurm/localhost-slurm.sh install   # Debian packages slurm-wlm and munge
#   tests/slurm/localhost-slurm.sh start     # munged, slurmctld, slurmd; waits for the node
#   tests/slurm/localhost-slurm.sh stop
#
# The config goes to /etc/slurm, where every Slurm client looks (the executor plugin
# drops SLURM_CONF from the environment of the steps it starts); a slurm.conf this
# script did not write is never overwritten. State and logs live in
# $UNLEARNING_AUDIT_SLURM_DIR (default /tmp/unlearning-audit-slurm). Two partitions
# (cpu, the default; gpu) share the node, with two fake GPUs, so partition routing
# and GPU requests are exercised.
set -euo pipefail
DIR=${UNLEARNING_AUDIT_SLURM_DIR:-/tmp/unlearning-audit-slurm}
CONF_DIR=/etc/slurm
MARKER="# Written by unlearning-audit tests/slurm/localhost-slurm.sh"

install() {
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends slurm-wlm munge
}

write_config() {
    local node cpus mem_mb
    node=$(hostname -s)
    cpus=$(nproc)
    mem_mb=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 8 / 10))
    mkdir -p "$DIR"/state "$DIR"/spool "$DIR"/log
    # Fake GPUs: a gres entry needs a device file (or the node drains); these are
    # character devices with /dev/null's numbers. Jobs still compute on the CPU.
    for i in 0 1; do [ -e "$DIR/gpu$i" ] || mknod "$DIR/gpu$i" c 1 3; done
    if [ -e $CONF_DIR/slurm.conf ] && ! grep -qF "$MARKER" $CONF_DIR/slurm.conf; then
        echo "$CONF_DIR/slurm.conf exists and is not ours; not touching it" >&2
        exit 1
    fi
    mkdir -p $CONF_DIR
    cat >$CONF_DIR/slurm.conf <<CONF
$MARKER
ClusterName=unlearning-audit-test
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
MpiDefault=none
ReturnToService=2
GresTypes=gpu
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb Gres=gpu:2 State=UNKNOWN
PartitionName=cpu Nodes=$node Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes=$node MaxTime=INFINITE State=UP
CONF
    printf '%s\nNodeName=%s Name=gpu File=%s/gpu[0-1]\n' "$MARKER" "$node" "$DIR" >$CONF_DIR/gres.conf
}

start() {
    write_config
    # munged must run as user munge, with /run/munge owned by it.
    mkdir -p /run/munge && chown munge:munge /run/munge
    [ -s /etc/munge/munge.key ] || runuser -u munge -- mungekey --create
    [ -S /run/munge/munge.socket.2 ] || runuser -u munge -- /usr/sbin/munged
    /usr/sbin/slurmctld
    /usr/sbin/slurmd
    for _ in $(seq 60); do
        if sinfo --noheader --states=idle,mixed --format=%n 2>/dev/null | grep -q .; then
            echo "Slurm is up: $(sinfo --noheader --format='%P %t' | tr '\n' ' ')"
            return
        fi
        sleep 1
    done
    echo "Slurm did not come up; see $DIR/log" >&2
    sinfo -R >&2 || true
    exit 1
}

# Stop slurmd, then slurmctld, then munged; then remove the config this script wrote.
# With a slurm.conf and no controller, every Slurm client waits ~9 s for one, and
# Snakemake's Slurm plugin asks `scontrol show config` whenever it is imported: every
# snakemake command on the machine would start 9 s late (measured: 10.6 s against 1.5 s).
stop() {
    local daemon file
    for daemon in slurmd slurmctld munged; do
        pkill -x "$daemon" || continue
        for _ in $(seq 40); do pgrep -x "$daemon" >/dev/null || break; sleep 0.25; done
        pkill -KILL -x "$daemon" || true
    done
    for file in $CONF_DIR/slurm.conf $CONF_DIR/gres.conf; do
        if [ -e "$file" ] && grep -qF "$MARKER" "$file"; then rm "$file"; fi
    done
}

case "${1:-}" in
install | start | stop) "$1" ;;
*) echo "usage: $0 install|start|stop" >&2 && exit 2 ;;
esac
