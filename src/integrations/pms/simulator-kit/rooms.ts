/**
 * A generated hotel's rooms and which room a stay gets at check-in. Room types and housekeeping
 * statuses are the vendor's; the layout (rooms numbered by floor) and the draws are shared, so a
 * seed gives the same rooms whatever the vendor calls them.
 */
import type { SeededRandom } from './random';

const ROOMS_PER_FLOOR = 20;
/** Share of rooms occupied when the hotel is generated. */
const OCCUPIED_SHARE = 0.4;

export interface DrawnRoom<S> {
  id: string;
  roomType: string;
  floor: string;
  status: S;
  occupied: boolean;
}

/** `count` rooms (101, 102, ... 201, ...); `statusOf` maps one uniform draw in [0, 1) to a housekeeping status. */
export function drawRooms<S>(rng: SeededRandom, count: number, roomTypes: readonly string[], statusOf: (draw: number) => S): Array<DrawnRoom<S>> {
  return Array.from({ length: count }, (_, i) => {
    const floor = Math.floor(i / ROOMS_PER_FLOOR) + 1;
    const status = statusOf(rng.next());
    return { id: String(floor * 100 + (i % ROOMS_PER_FLOOR) + 1), roomType: rng.pick(roomTypes), floor: String(floor), status, occupied: rng.chance(OCCUPIED_SHARE) };
  });
}

export interface RoomOfStay {
  roomId: string | null;
  roomType: string;
}

/**
 * Checks a stay into a room: a stay without one gets a vacant room (not occupied, not held by a
 * stay in house; the first room when none is free), and its room becomes occupied.
 */
export function occupyRoom(rooms: ReadonlyArray<{ id: string; roomType: string; occupied: boolean }>, stay: RoomOfStay, inHouse: Iterable<RoomOfStay>): void {
  if (stay.roomId === null) {
    const taken = new Set([...inHouse].map((x) => x.roomId));
    const room = rooms.find((x) => !x.occupied && !taken.has(x.id)) ?? rooms[0];
    stay.roomId = room?.id ?? null;
    if (room) stay.roomType = room.roomType;
  }
  const room = rooms.find((x) => x.id === stay.roomId);
  if (room) room.occupied = true;
}
