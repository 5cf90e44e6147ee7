package flood;

import peersim.config.Configuration;
import peersim.core.CommonState;
import peersim.core.Control;
import peersim.core.Network;
import peersim.edsim.EDSimulator;

/**
 * Initializer: places objects (each with a number of replicas at uniformly
 * random peers) and schedules the query-start events (uniform random issue
 * time in [0, window), uniform random source peer, uniform random object).
 *
 * Parameters (prefix init.NAME):
 *   protocol - the FloodProtocol
 *   queries  - number of queries
 *   window   - issue times are uniform in [0, window) time units (ms)
 *   objects  - number of distinct objects (default 1000)
 *   replicas - replicas placed per object (default 10; a replica landing on a
 *              peer that already holds the object is not re-drawn, so "~10")
 */
public class FloodInit implements Control {

	private final int pid;
	private final int queries;
	private final long window;
	private final int objects;
	private final int replicas;

	public FloodInit(String prefix) {
		pid = Configuration.getPid(prefix + ".protocol");
		queries = Configuration.getInt(prefix + ".queries");
		window = Configuration.getLong(prefix + ".window");
		objects = Configuration.getInt(prefix + ".objects", 1000);
		replicas = Configuration.getInt(prefix + ".replicas", 10);
	}

	public boolean execute() {
		final int n = Network.size();
		for (int o = 0; o < objects; o++)
			for (int r = 0; r < replicas; r++)
				((FloodProtocol) Network.get(CommonState.r.nextInt(n)).getProtocol(pid)).addObject(o);

		FloodProtocol.prepareQueries(queries);
		for (int q = 0; q < queries; q++) {
			long t = CommonState.r.nextLong(window);
			int src = CommonState.r.nextInt(n);
			int obj = CommonState.r.nextInt(objects);
			EDSimulator.add(t, new QueryStart(q, obj), Network.get(src), pid);
		}
		FloodStats.queriesScheduled = queries;
		System.err.println("FloodInit: placed " + objects + "x" + replicas
				+ " replicas, scheduled " + queries + " queries in [0," + window + ")");
		return false;
	}
}
