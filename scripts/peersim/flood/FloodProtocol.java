package flood;

import java.util.BitSet;
import java.util.HashSet;

import peersim.config.Configuration;
import peersim.config.FastConfig;
import peersim.core.CommonState;
import peersim.core.Linkable;
import peersim.core.Network;
import peersim.core.Node;
import peersim.edsim.EDProtocol;
import peersim.transport.Transport;

/**
 * Event-driven TTL-limited flooding with duplicate suppression, written the way a
 * typical PeerSim user would: per-node HashSet of seen query ids, per-node
 * HashSet of held objects, neighbours from the Linkable given by
 * "linkable", messages sent through the Transport given by "transport".
 *
 * Parameters (prefix protocol.NAME):
 *   linkable  - the Linkable protocol (e.g. IdleProtocol wired by WireKOut)
 *   transport - the Transport protocol (e.g. UniformRandomTransport)
 *   ttl       - hops a query may travel from its source (default 7)
 *   seen      - "hashset" (default: per-node HashSet&lt;Integer&gt;) or
 *               "bitset" (one global BitSet over node indices per query)
 */
public class FloodProtocol implements EDProtocol {

	private static final String PAR_TTL = "ttl";
	private static final String PAR_SEEN = "seen";

	// ------------------------------------------------------------ global stats
	// (static: one counter set for the whole simulation, cheap to update)

	/** QueryMessage deliveries (= processEvent calls carrying a message). */
	public static long delivered = 0;
	/** QueryStart events processed. */
	public static long starts = 0;
	/** Messages handed to the transport. */
	public static long sent = 0;
	/** Deliveries of an already-seen query id (dropped). */
	public static long duplicates = 0;
	/** First-time receptions (excluding the source). */
	public static long firstReceipts = 0;
	/** First-time receivers holding the requested object. */
	public static long hits = 0;
	/** First-time receivers that did not forward because the TTL ran out. */
	public static long ttlExpired = 0;

	// ------------------------------------------------------------ config (shared)

	static int ttlMax = 7;
	static boolean useBitset = false;
	/** Per-query seen markers, used only when seen=bitset. */
	static BitSet[] seenByQuery = null;

	// ------------------------------------------------------------ per-node state

	/** Query ids already seen by this node (seen=hashset). */
	private HashSet<Integer> seen;

	/** Objects held by this node. */
	private HashSet<Integer> objects;

	public FloodProtocol(String prefix) {
		ttlMax = Configuration.getInt(prefix + "." + PAR_TTL, 7);
		useBitset = "bitset".equals(Configuration.getString(prefix + "." + PAR_SEEN, "hashset"));
		seen = new HashSet<Integer>();
		objects = new HashSet<Integer>();
	}

	public Object clone() {
		FloodProtocol p = null;
		try { p = (FloodProtocol) super.clone(); }
		catch (CloneNotSupportedException e) {} // never happens
		p.seen = new HashSet<Integer>();
		p.objects = new HashSet<Integer>();
		return p;
	}

	// ------------------------------------------------------------ helpers used by FloodInit

	public void addObject(int objectId) { objects.add(objectId); }

	static void prepareQueries(int queries) {
		if (useBitset) seenByQuery = new BitSet[queries];
	}

	// ------------------------------------------------------------ event handling

	/** Marks the query as seen at this node; returns false if it was already seen. */
	private boolean markSeen(Node node, int queryId) {
		if (useBitset) {
			BitSet bs = seenByQuery[queryId];
			if (bs == null) { bs = new BitSet(Network.size()); seenByQuery[queryId] = bs; }
			int idx = node.getIndex();
			if (bs.get(idx)) return false;
			bs.set(idx);
			return true;
		}
		return seen.add(queryId);
	}

	public void processEvent(Node node, int pid, Object event) {

		if (event instanceof QueryMessage) {
			delivered++;
			QueryMessage m = (QueryMessage) event;
			if (!markSeen(node, m.queryId)) {
				duplicates++;
				return;
			}
			firstReceipts++;
			if (objects.contains(m.objectId)) hits++;
			int remaining = m.ttl - 1;
			if (remaining > 0) forward(node, pid, m.queryId, m.objectId, remaining, m.sender);
			else ttlExpired++;
		} else if (event instanceof QueryStart) {
			starts++;
			QueryStart q = (QueryStart) event;
			markSeen(node, q.queryId);
			forward(node, pid, q.queryId, q.objectId, ttlMax, null);
		} else {
			throw new IllegalArgumentException("unexpected event " + event);
		}
	}

	/** Sends a copy with the given TTL to every neighbour except 'exclude'. */
	private void forward(Node node, int pid, int queryId, int objectId, int ttl, Node exclude) {
		Linkable linkable = (Linkable) node.getProtocol(FastConfig.getLinkable(pid));
		Transport transport = (Transport) node.getProtocol(FastConfig.getTransport(pid));
		final int deg = linkable.degree();
		for (int i = 0; i < deg; i++) {
			Node peer = linkable.getNeighbor(i);
			if (peer == exclude) continue;
			transport.send(node, peer, new QueryMessage(queryId, objectId, ttl, node), pid);
			sent++;
		}
	}
}
