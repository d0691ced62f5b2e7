/**
 * A booking's stay as the simulators keep it: dates, party and room. A booking made without a
 * room is typed as the hotel's first room, as a front desk books the default type.
 */
export interface BookedStay {
  arrival: string;
  departure: string;
  adults: number;
  children: number;
  roomId: string | null;
  roomType: string;
}

export interface StayRequest {
  arrivalDate: string;
  departureDate: string;
  roomNumber?: string;
  adults?: number;
}

/** The stay `request` books: the room it names (by number), one adult unless it says; `fallbackType` in a hotel without rooms. */
export function bookedStay(rooms: ReadonlyArray<{ id: string; roomType: string }>, request: StayRequest, fallbackType: string): BookedStay {
  const room = request.roomNumber === undefined ? undefined : rooms.find((r) => r.id === request.roomNumber);
  return {
    arrival: request.arrivalDate,
    departure: request.departureDate,
    adults: request.adults ?? 1,
    children: 0,
    roomId: room?.id ?? null,
    roomType: room?.roomType ?? rooms[0]?.roomType ?? fallbackType,
  };
}
