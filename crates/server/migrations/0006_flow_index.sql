-- previousFlowAnalysisId looks up the latest earlier analysis of the same flow (addresses, ports,
-- protocol). The index covers the whole key, so that is one index probe at any table size; the
-- old one (addresses and seq only) made PostgreSQL's generic plan walk every analysis of the
-- address pair (13 ms a creation at 200,000 analyses of five flows).
DROP INDEX analyses_by_flow;
CREATE INDEX analyses_by_flow ON analyses
    (source_ip, dest_ip, COALESCE(source_port, ''), COALESCE(dest_port, ''), COALESCE(protocol, ''), seq);
