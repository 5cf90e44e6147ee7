package flood;

import peersim.core.Node;

/**
 * A flooded query travelling over one link. A fresh copy is created for every
 * neighbour it is forwarded to (sender and remaining TTL are per-copy state).
 */
public class QueryMessage {

	/** Query identifier (0 .. queries-1). */
	public final int queryId;

	/** The object being searched for. */
	public final int objectId;

	/**
	 * Hops this copy may still travel, counting the hop that delivers it.
	 * The source sends with ttl = TTL; a receiver forwards with ttl-1 if
	 * ttl-1 > 0. So a query reaches peers up to TTL hops from its source.
	 */
	public final int ttl;

	/** Node that sent this copy (the receiver does not send it back there). */
	public final Node sender;

	public QueryMessage(int queryId, int objectId, int ttl, Node sender) {
		this.queryId = queryId;
		this.objectId = objectId;
		this.ttl = ttl;
		this.sender = sender;
	}
}
