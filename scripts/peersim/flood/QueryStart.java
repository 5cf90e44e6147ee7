package flood;

/**
 * Self-scheduled event that makes a node originate a query (scheduled by
 * {@link FloodInit} at the query's issue time).
 */
public class QueryStart {

	public final int queryId;
	public final int objectId;

	public QueryStart(int queryId, int objectId) {
		this.queryId = queryId;
		this.objectId = objectId;
	}
}
