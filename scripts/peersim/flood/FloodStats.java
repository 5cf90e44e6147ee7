package flood;

import java.io.BufferedReader;
import java.io.FileReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;

import peersim.config.Configuration;
import peersim.config.FastConfig;
import peersim.core.CommonState;
import peersim.core.Control;
import peersim.core.Linkable;
import peersim.core.Network;
import peersim.core.Node;

/**
 * Timing/statistics control. Schedule it with "at 0" and "FINAL":
 * its execution at time 0 is the first event the event loop runs (control
 * events at equal time sort before ordinary events), and the FINAL execution
 * runs right after the loop ends. The time between the two is the event-loop
 * wall time. Graph statistics (E, connectivity) are computed after timing.
 *
 * Parameters (prefix control.NAME): protocol - the FloodProtocol.
 */
public class FloodStats implements Control {

	static int queriesScheduled = 0;

	private final int pid;
	private long t0 = -1;
	private long gcMs0 = 0;
	private long gcCount0 = 0;

	public FloodStats(String prefix) {
		pid = Configuration.getPid(prefix + ".protocol");
	}

	private static long[] gc() {
		long ms = 0, cnt = 0;
		for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
			ms += Math.max(0, b.getCollectionTime());
			cnt += Math.max(0, b.getCollectionCount());
		}
		return new long[] { ms, cnt };
	}

	private static String vm(String key) {
		try (BufferedReader r = new BufferedReader(new FileReader("/proc/self/status"))) {
			String l;
			while ((l = r.readLine()) != null)
				if (l.startsWith(key + ":")) return l.substring(key.length() + 1).trim();
		} catch (Exception e) {}
		return "n/a";
	}

	public boolean execute() {
		if (CommonState.getPhase() != CommonState.POST_SIMULATION) {
			if (t0 < 0) {
				long[] g = gc();
				gcMs0 = g[0];
				gcCount0 = g[1];
				t0 = System.nanoTime();
			}
			return false;
		}
		final long t1 = System.nanoTime();
		final long[] g = gc();
		final double loopSec = (t1 - t0) / 1e9;

		final long events = FloodProtocol.delivered + FloodProtocol.starts;
		final int n = Network.size();

		// ---- graph statistics (not timed)
		final int lid = FastConfig.getLinkable(pid);
		long degSum = 0;
		int maxDeg = 0, minDeg = Integer.MAX_VALUE;
		for (int i = 0; i < n; i++) {
			int d = ((Linkable) Network.get(i).getProtocol(lid)).degree();
			degSum += d;
			maxDeg = Math.max(maxDeg, d);
			minDeg = Math.min(minDeg, d);
		}
		final double e = degSum / 2.0; // undirected: every edge stored at both ends
		// connectivity: BFS from node 0
		boolean[] vis = new boolean[n];
		ArrayDeque<Integer> dq = new ArrayDeque<Integer>();
		vis[0] = true;
		dq.add(0);
		int comp = 1;
		while (!dq.isEmpty()) {
			Linkable l = (Linkable) Network.get(dq.poll()).getProtocol(lid);
			for (int j = 0; j < l.degree(); j++) {
				Node nb = l.getNeighbor(j);
				int idx = nb.getIndex();
				if (!vis[idx]) { vis[idx] = true; comp++; dq.add(idx); }
			}
		}

		final long q = FloodProtocol.starts;
		final double fullFlood = 2 * e - n + 1;
		final double msgPerQuery = q > 0 ? (double) FloodProtocol.sent / q : 0;
		final double reach = q > 0 ? (double) FloodProtocol.firstReceipts / q / (n - 1) : 0;

		StringBuilder sb = new StringBuilder();
		sb.append("==== PeerSim flood results ====\n");
		sb.append(String.format("N=%d  E=%.0f  mean_degree=%.3f  min_deg=%d  max_deg=%d  component(node0)=%d%s%n",
				n, e, degSum / (double) n, minDeg, maxDeg, comp, comp == n ? " (connected)" : " (NOT connected)"));
		sb.append(String.format("queries: scheduled=%d started=%d  ttl=%d  seen=%s%n",
				queriesScheduled, q, FloodProtocol.ttlMax, FloodProtocol.useBitset ? "bitset" : "hashset"));
		sb.append(String.format("events: total=%d  message_deliveries=%d  query_start_events=%d%n",
				events, FloodProtocol.delivered, q));
		sb.append(String.format("messages: sent=%d  duplicates=%d  first_receipts=%d  ttl_expired=%d  hits=%d%n",
				FloodProtocol.sent, FloodProtocol.duplicates, FloodProtocol.firstReceipts,
				FloodProtocol.ttlExpired, FloodProtocol.hits));
		sb.append(String.format("messages/query=%.1f  full_flood(2E-N+1)=%.0f  ratio=%.4f  mean_reach=%.4f of N-1%n",
				msgPerQuery, fullFlood, msgPerQuery / fullFlood, reach));
		sb.append(String.format("sim_end_time=%d ms%n", CommonState.getTime()));
		sb.append(String.format("loop_seconds=%.3f  events/s=%.0f  messages/s=%.0f%n",
				loopSec, events / loopSec, FloodProtocol.delivered / loopSec));
		sb.append(String.format("gc_during_loop: collections=%d  time_ms=%d%n", g[1] - gcCount0, g[0] - gcMs0));
		sb.append(String.format("jvm: VmHWM=%s  VmRSS=%s  heap_used=%.0f MB  max_heap=%.0f MB%n",
				vm("VmHWM"), vm("VmRSS"),
				(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1048576.0,
				Runtime.getRuntime().maxMemory() / 1048576.0));
		System.out.print(sb);
		System.out.flush();
		return false;
	}
}
