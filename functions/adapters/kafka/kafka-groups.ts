// The group side of a collector run (kafka-collector.ts): ListGroups per broker (the lister is the
// coordinator), OffsetFetch per group with one retry when the coordinator moved, DescribeGroups per
// coordinator in batches, and the decoding of state, members and member assignments.
import { AssignerProtocol } from 'kafkajs';
import { mapLimit } from '../../app/pool.js';
import { GroupState, type GroupFailure } from '../../core/types.js';
import { parseOffset } from '../../core/offsets.js';
import { ClusterFailure, localError } from './kafka-errors.js';
import { BROKER_CONCURRENCY, ErrorCode, chunks, errorName, type DescribedGroup, type KafkaWire } from './kafka-wire.js';

const KNOWN_STATES = new Set<string>(Object.values(GroupState));

function toGroupState(state: string | undefined): GroupState {
  return state !== undefined && KNOWN_STATES.has(state) ? (state as GroupState) : GroupState.Unknown;
}

export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface GroupOffsets {
  group: string;
  topics: Map<string, Map<number, bigint | null>>;
}

export interface Description {
  state: GroupState;
  members: number | null;
  /** undefined: not applicable (no members); null: unknown, flagged. */
  assignments: Record<string, number[]> | null | undefined;
}

export const UNKNOWN_DESCRIPTION: Description = { state: GroupState.Unknown, members: null, assignments: null };

const COORDINATOR_MOVED = new Set<number>([
  ErrorCode.NotCoordinator,
  ErrorCode.CoordinatorNotAvailable,
  ErrorCode.CoordinatorLoadInProgress,
]);

/** Union of the members' assigned partitions (classic consumer protocol), sorted; null when a
 * member's assignment cannot be decoded (another protocol, e.g. Kafka Connect). */
export function decodeAssignments(group: Pick<DescribedGroup, 'protocolType' | 'members'>): Record<string, number[]> | null {
  if (group.protocolType !== 'consumer') return null;
  const union = new Map<string, Set<number>>();
  for (const m of group.members) {
    if (!m.memberAssignment || m.memberAssignment.length === 0) continue; // assigned nothing
    let decoded;
    try {
      decoded = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
    } catch {
      return null;
    }
    if (!decoded) continue;
    for (const [topic, partitions] of Object.entries(decoded.assignment)) {
      const set = union.get(topic) ?? new Set<number>();
      for (const p of partitions) set.add(p);
      union.set(topic, set);
    }
  }
  const out: Record<string, number[]> = {};
  for (const topic of [...union.keys()].sort(byName)) out[topic] = [...(union.get(topic) ?? [])].sort((a, b) => a - b);
  return out;
}

function describe(d: DescribedGroup): Description {
  if (d.errorCode !== ErrorCode.None) return UNKNOWN_DESCRIPTION; // e.g. a Kafka 4 consumer-protocol group
  const state = toGroupState(d.state);
  const members = d.members.length;
  if (members === 0) return { state, members, assignments: undefined };
  // Kafka only returns member assignments for a Stable group; during a rebalance they are unknown.
  const assignments = state === GroupState.Stable ? decodeAssignments(d) : null;
  return { state, members, assignments };
}

/** Every group on every broker, with the broker that listed it (its coordinator). */
export async function listGroups(wire: KafkaWire): Promise<Map<string, string>> {
  const nodes = await wire.nodeIds();
  const listed = await mapLimit(nodes, BROKER_CONCURRENCY, async (node) => {
    try {
      return { node, groups: await wire.listGroups(node) };
    } catch (error) {
      // A broker whose groups cannot be listed: those groups would look gone. Fail the run.
      throw new ClusterFailure(error);
    }
  });
  const coordinators = new Map<string, string>();
  for (const { node, groups } of listed) for (const g of groups) if (!coordinators.has(g.groupId)) coordinators.set(g.groupId, node);
  return coordinators;
}

export async function readGroup(wire: KafkaWire, group: string, coordinator: string): Promise<GroupOffsets | GroupFailure> {
  let node = coordinator;
  for (let attempt = 0; ; attempt++) {
    let out;
    try {
      out = await wire.offsetFetch(node, group);
    } catch (error) {
      return { group, error: `OffsetFetch to broker ${node} failed: ${localError(error)}` };
    }
    const code = out.errorCode ?? ErrorCode.None;
    if (COORDINATOR_MOVED.has(code) && attempt === 0) {
      // The coordinator moved since ListGroups: look it up once and ask again.
      try {
        node = await wire.findCoordinator(group);
      } catch (error) {
        return { group, error: `coordinator moved (${errorName(code)}) and FindCoordinator failed: ${localError(error)}` };
      }
      continue;
    }
    if (code !== ErrorCode.None) return { group, error: `OffsetFetch on broker ${node} answered ${errorName(code)}` };
    const topics = new Map<string, Map<number, bigint | null>>();
    for (const { topic, partitions } of out.responses) {
      const offsets = new Map<number, bigint | null>();
      for (const p of partitions) {
        if (p.errorCode !== ErrorCode.None) {
          return { group, error: `OffsetFetch on broker ${node} answered ${errorName(p.errorCode)} for ${topic}[${p.partition}]` };
        }
        // -1: no commit on this partition. Kept as null, so it is never reported as lag 0.
        offsets.set(p.partition, parseOffset(p.offset));
      }
      topics.set(topic, offsets);
    }
    return { group, topics };
  }
}

/** DescribeGroups per coordinator in batches; best effort (state Unknown where it fails). */
export async function describeAll(
  wire: KafkaWire,
  coordinators: Map<string, string>,
  groups: readonly string[],
  batchSize: number,
): Promise<Map<string, Description>> {
  const byNode = new Map<string, string[]>();
  for (const g of groups) {
    const node = coordinators.get(g) ?? '';
    const list = byNode.get(node);
    if (list) list.push(g);
    else byNode.set(node, [g]);
  }
  const batches = [...byNode].flatMap(([node, list]) => chunks(list, batchSize).map((batch) => ({ node, batch })));
  const out = new Map<string, Description>();
  await mapLimit(batches, 2, async ({ node, batch }) => {
    try {
      for (const d of await wire.describeGroups(node, batch)) out.set(d.groupId, describe(d));
    } catch (error) {
      localError(error);
    }
  });
  return out;
}
