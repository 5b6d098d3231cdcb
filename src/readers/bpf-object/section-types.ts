// Program section names → program and attach types, as libbpf's section_defs table (src/libbpf.c) says.
// A name ending in `+` matches itself or itself followed by `/...`; any other matches exactly. The first
// match wins, so longer names come before their prefixes, as in libbpf.

export interface SectionType {
  /** `BPF_PROG_TYPE_KPROBE` */
  type: string;
  /** `BPF_TRACE_FENTRY` */
  attachType: string | null;
  sleepable: boolean;
  /** What the part after the `/` names in the kernel's BTF: a function, or a `btf_trace_` typedef. */
  attachBtf: ((target: string) => { name: string; kind: 'func' | 'typedef' }) | null;
}

type Row = [pattern: string, type: string, attachType?: string | null, flags?: 'sleepable' | null, btf?: Btf];
type Btf = 'func' | 'lsm' | 'tp_btf' | 'iter';

const ROWS: Row[] = [
  ['socket', 'SOCKET_FILTER'],
  ['sk_reuseport/migrate', 'SK_REUSEPORT', 'BPF_SK_REUSEPORT_SELECT_OR_MIGRATE'],
  ['sk_reuseport', 'SK_REUSEPORT', 'BPF_SK_REUSEPORT_SELECT'],
  ['kprobe+', 'KPROBE'],
  ['uprobe+', 'KPROBE'],
  ['uprobe.s+', 'KPROBE', null, 'sleepable'],
  ['kretprobe+', 'KPROBE'],
  ['uretprobe+', 'KPROBE'],
  ['uretprobe.s+', 'KPROBE', null, 'sleepable'],
  ['kprobe.multi+', 'KPROBE', 'BPF_TRACE_KPROBE_MULTI'],
  ['kretprobe.multi+', 'KPROBE', 'BPF_TRACE_KPROBE_MULTI'],
  ['kprobe.session+', 'KPROBE', 'BPF_TRACE_KPROBE_SESSION'],
  ['uprobe.multi+', 'KPROBE', 'BPF_TRACE_UPROBE_MULTI'],
  ['uretprobe.multi+', 'KPROBE', 'BPF_TRACE_UPROBE_MULTI'],
  ['uprobe.multi.s+', 'KPROBE', 'BPF_TRACE_UPROBE_MULTI', 'sleepable'],
  ['uretprobe.multi.s+', 'KPROBE', 'BPF_TRACE_UPROBE_MULTI', 'sleepable'],
  ['ksyscall+', 'KPROBE'],
  ['kretsyscall+', 'KPROBE'],
  ['usdt+', 'KPROBE'],
  ['usdt.s+', 'KPROBE', null, 'sleepable'],
  ['tc/ingress', 'SCHED_CLS', 'BPF_TCX_INGRESS'],
  ['tc/egress', 'SCHED_CLS', 'BPF_TCX_EGRESS'],
  ['tcx/ingress', 'SCHED_CLS', 'BPF_TCX_INGRESS'],
  ['tcx/egress', 'SCHED_CLS', 'BPF_TCX_EGRESS'],
  ['tc', 'SCHED_CLS'],
  ['classifier', 'SCHED_CLS'],
  ['action', 'SCHED_ACT'],
  ['netkit/primary', 'SCHED_CLS', 'BPF_NETKIT_PRIMARY'],
  ['netkit/peer', 'SCHED_CLS', 'BPF_NETKIT_PEER'],
  ['tracepoint+', 'TRACEPOINT'],
  ['tp+', 'TRACEPOINT'],
  ['raw_tracepoint+', 'RAW_TRACEPOINT'],
  ['raw_tp+', 'RAW_TRACEPOINT'],
  ['raw_tracepoint.w+', 'RAW_TRACEPOINT_WRITABLE'],
  ['raw_tp.w+', 'RAW_TRACEPOINT_WRITABLE'],
  ['tp_btf+', 'TRACING', 'BPF_TRACE_RAW_TP', null, 'tp_btf'],
  ['fentry+', 'TRACING', 'BPF_TRACE_FENTRY', null, 'func'],
  ['fmod_ret+', 'TRACING', 'BPF_MODIFY_RETURN', null, 'func'],
  ['fexit+', 'TRACING', 'BPF_TRACE_FEXIT', null, 'func'],
  ['fentry.s+', 'TRACING', 'BPF_TRACE_FENTRY', 'sleepable', 'func'],
  ['fmod_ret.s+', 'TRACING', 'BPF_MODIFY_RETURN', 'sleepable', 'func'],
  ['fexit.s+', 'TRACING', 'BPF_TRACE_FEXIT', 'sleepable', 'func'],
  ['freplace+', 'EXT'],
  ['lsm+', 'LSM', 'BPF_LSM_MAC', null, 'lsm'],
  ['lsm.s+', 'LSM', 'BPF_LSM_MAC', 'sleepable', 'lsm'],
  ['lsm_cgroup+', 'LSM', 'BPF_LSM_CGROUP', null, 'lsm'],
  ['iter+', 'TRACING', 'BPF_TRACE_ITER', null, 'iter'],
  ['iter.s+', 'TRACING', 'BPF_TRACE_ITER', 'sleepable', 'iter'],
  ['syscall', 'SYSCALL', null, 'sleepable'],
  ['xdp.frags/devmap', 'XDP', 'BPF_XDP_DEVMAP'],
  ['xdp/devmap', 'XDP', 'BPF_XDP_DEVMAP'],
  ['xdp.frags/cpumap', 'XDP', 'BPF_XDP_CPUMAP'],
  ['xdp/cpumap', 'XDP', 'BPF_XDP_CPUMAP'],
  ['xdp.frags', 'XDP', 'BPF_XDP'],
  ['xdp', 'XDP', 'BPF_XDP'],
  ['perf_event', 'PERF_EVENT'],
  ['lwt_in', 'LWT_IN'],
  ['lwt_out', 'LWT_OUT'],
  ['lwt_xmit', 'LWT_XMIT'],
  ['lwt_seg6local', 'LWT_SEG6LOCAL'],
  ['sockops', 'SOCK_OPS', 'BPF_CGROUP_SOCK_OPS'],
  ['sk_skb/stream_parser', 'SK_SKB', 'BPF_SK_SKB_STREAM_PARSER'],
  ['sk_skb/stream_verdict', 'SK_SKB', 'BPF_SK_SKB_STREAM_VERDICT'],
  ['sk_skb', 'SK_SKB'],
  ['sk_msg', 'SK_MSG', 'BPF_SK_MSG_VERDICT'],
  ['lirc_mode2', 'LIRC_MODE2', 'BPF_LIRC_MODE2'],
  ['flow_dissector', 'FLOW_DISSECTOR', 'BPF_FLOW_DISSECTOR'],
  ['cgroup_skb/ingress', 'CGROUP_SKB', 'BPF_CGROUP_INET_INGRESS'],
  ['cgroup_skb/egress', 'CGROUP_SKB', 'BPF_CGROUP_INET_EGRESS'],
  ['cgroup/skb', 'CGROUP_SKB'],
  ['cgroup/sock_create', 'CGROUP_SOCK', 'BPF_CGROUP_INET_SOCK_CREATE'],
  ['cgroup/sock_release', 'CGROUP_SOCK', 'BPF_CGROUP_INET_SOCK_RELEASE'],
  ['cgroup/sock', 'CGROUP_SOCK', 'BPF_CGROUP_INET_SOCK_CREATE'],
  ['cgroup/post_bind4', 'CGROUP_SOCK', 'BPF_CGROUP_INET4_POST_BIND'],
  ['cgroup/post_bind6', 'CGROUP_SOCK', 'BPF_CGROUP_INET6_POST_BIND'],
  ['cgroup/bind4', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET4_BIND'],
  ['cgroup/bind6', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET6_BIND'],
  ['cgroup/connect4', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET4_CONNECT'],
  ['cgroup/connect6', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET6_CONNECT'],
  ['cgroup/connect_unix', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UNIX_CONNECT'],
  ['cgroup/sendmsg4', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UDP4_SENDMSG'],
  ['cgroup/sendmsg6', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UDP6_SENDMSG'],
  ['cgroup/sendmsg_unix', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UNIX_SENDMSG'],
  ['cgroup/recvmsg4', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UDP4_RECVMSG'],
  ['cgroup/recvmsg6', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UDP6_RECVMSG'],
  ['cgroup/recvmsg_unix', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UNIX_RECVMSG'],
  ['cgroup/getpeername4', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET4_GETPEERNAME'],
  ['cgroup/getpeername6', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET6_GETPEERNAME'],
  ['cgroup/getpeername_unix', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UNIX_GETPEERNAME'],
  ['cgroup/getsockname4', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET4_GETSOCKNAME'],
  ['cgroup/getsockname6', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_INET6_GETSOCKNAME'],
  ['cgroup/getsockname_unix', 'CGROUP_SOCK_ADDR', 'BPF_CGROUP_UNIX_GETSOCKNAME'],
  ['cgroup/sysctl', 'CGROUP_SYSCTL', 'BPF_CGROUP_SYSCTL'],
  ['cgroup/getsockopt', 'CGROUP_SOCKOPT', 'BPF_CGROUP_GETSOCKOPT'],
  ['cgroup/setsockopt', 'CGROUP_SOCKOPT', 'BPF_CGROUP_SETSOCKOPT'],
  ['cgroup/dev', 'CGROUP_DEVICE', 'BPF_CGROUP_DEVICE'],
  ['struct_ops+', 'STRUCT_OPS'],
  ['struct_ops.s+', 'STRUCT_OPS', null, 'sleepable'],
  ['sk_lookup', 'SK_LOOKUP', 'BPF_SK_LOOKUP'],
  ['netfilter', 'NETFILTER', 'BPF_NETFILTER'],
];

const BTF_TARGET: Record<Btf, (t: string) => { name: string; kind: 'func' | 'typedef' }> = {
  func: (t) => ({ name: t, kind: 'func' }),
  lsm: (t) => ({ name: `bpf_lsm_${t}`, kind: 'func' }),
  tp_btf: (t) => ({ name: `btf_trace_${t}`, kind: 'typedef' }),
  iter: (t) => ({ name: `bpf_iter_${t}`, kind: 'func' }),
};

function matches(pattern: string, name: string): boolean {
  if (pattern.endsWith('+')) {
    const p = pattern.slice(0, -1);
    return name === p || name.startsWith(`${p}/`);
  }
  return name === pattern;
}

/** The program type libbpf gives a section, or null when no row of its table matches. */
export function sectionType(section: string): (SectionType & { target: string | null }) | null {
  const row = ROWS.find(([p]) => matches(p, section));
  if (!row) return null;
  const [pattern, type, attachType = null, flags = null, btf] = row;
  const slash = pattern.endsWith('+') ? section.indexOf('/') : -1;
  const target = slash >= 0 ? section.slice(slash + 1) : null;
  return {
    type: `BPF_PROG_TYPE_${type}`,
    attachType,
    sleepable: flags === 'sleepable',
    attachBtf: btf ? BTF_TARGET[btf] : null,
    target,
  };
}
