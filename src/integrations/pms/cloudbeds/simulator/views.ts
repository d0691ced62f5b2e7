/**
 * The simulator's records as Cloudbeds' answers spell them (API v1.3 models; getTransactions as
 * v1.2 lists it): camelCase names, ids and counts as strings, dates `YYYY-MM-DD`, date-times
 * `YYYY-MM-DD HH:MM:SS` in property time (transactions also in UTC).
 */
import { DateTime } from 'luxon';
import { localTime } from './seed';
import type { Guest, Note, Property, Reservation, Room, Transaction } from './store';

const customFields = (g: Guest) => [...g.customFields].map(([customFieldName, customFieldValue]) => ({ customFieldName, customFieldValue }));

function roomOf(p: Property, r: Reservation): Room | undefined {
  return r.roomID === null ? undefined : p.rooms.get(r.roomID);
}

function roomTypeName(p: Property, r: Reservation): string {
  return roomOf(p, r)?.roomTypeName ?? [...p.rooms.values()].find((x) => x.roomTypeID === r.roomTypeID)?.roomTypeName ?? 'Double Room';
}

function subReservationID(r: Reservation): string {
  return `${r.reservationID}-1`;
}

/** A guest inside a reservation's guestList (keyed by guest id). */
function listedGuest(p: Property, r: Reservation, g: Guest) {
  const room = roomOf(p, r);
  return {
    guestID: g.guestID,
    guestName: `${g.firstName} ${g.lastName}`.trim(),
    guestFirstName: g.firstName,
    guestLastName: g.lastName,
    guestGender: 'N/A',
    guestEmail: g.email,
    guestPhone: g.phone,
    guestCellPhone: g.cellPhone,
    guestCountry: g.country,
    subReservationID: subReservationID(r),
    startDate: r.startDate,
    endDate: r.endDate,
    assignedRoom: room !== undefined,
    roomID: room?.roomID ?? '',
    roomName: room?.roomName ?? '',
    roomTypeName: roomTypeName(p, r),
    roomTypeIsVirtual: false,
    customFields: customFields(g),
    isAnonymized: false,
    isMainGuest: true,
  };
}

function guestList(p: Property, r: Reservation) {
  const g = p.guests.get(r.guestID);
  return g ? { [g.guestID]: listedGuest(p, r, g) } : {};
}

/** The rooms entry getReservations adds with includeAllRooms (assigned and unassigned alike). */
function allRooms(p: Property, r: Reservation) {
  const room = roomOf(p, r);
  return [
    {
      roomTypeID: r.roomTypeID,
      roomTypeName: roomTypeName(p, r),
      roomTypeIsVirtual: false,
      subReservationID: subReservationID(r),
      guestID: r.guestID,
      guestName: guestName(p, r),
      reservationRoomID: `${r.reservationID}01`,
      roomID: room?.roomID ?? '',
      roomName: room?.roomName ?? '',
      roomCheckIn: r.startDate,
      roomCheckOut: r.endDate,
      roomStatus: r.status === 'checked_in' ? 'in_house' : r.status === 'checked_out' ? 'checked_out' : 'not_checked_in',
    },
  ];
}

function guestName(p: Property, r: Reservation): string {
  const g = p.guests.get(r.guestID);
  return g ? `${g.firstName} ${g.lastName}`.trim() : '';
}

export function reservationRow(p: Property, r: Reservation, options: { guests: boolean; rooms: boolean }) {
  return {
    propertyID: p.propertyID,
    reservationID: r.reservationID,
    dateCreated: localTime(p, r.createdAt),
    dateModified: localTime(p, r.modifiedAt),
    status: r.status,
    guestID: r.guestID,
    profileID: r.guestID,
    guestName: guestName(p, r),
    startDate: r.startDate,
    endDate: r.endDate,
    allotmentBlockCode: '',
    groupCode: '',
    adults: String(r.adults),
    children: String(r.children),
    balance: 0,
    sourceName: 'Walk-In',
    sourceID: 's-1-1',
    thirdPartyIdentifier: '',
    origin: 'PMS',
    ...(options.rooms ? { rooms: allRooms(p, r) } : {}),
    ...(options.guests ? { guestList: guestList(p, r) } : {}),
  };
}

export function reservationDetail(p: Property, r: Reservation) {
  const room = roomOf(p, r);
  const stay = {
    reservationRoomID: `${r.reservationID}01`,
    roomTypeName: roomTypeName(p, r),
    roomTypeIsVirtual: false,
    roomTypeID: r.roomTypeID,
    subReservationID: subReservationID(r),
    startDate: r.startDate,
    endDate: r.endDate,
    adults: String(r.adults),
    children: String(r.children),
    dailyRates: [],
    roomTotal: '0.00',
  };
  const g = p.guests.get(r.guestID);
  return {
    propertyID: p.propertyID,
    guestName: guestName(p, r),
    guestEmail: g?.email ?? '',
    isAnonymized: false,
    guestList: guestList(p, r),
    reservationID: r.reservationID,
    dateCreated: localTime(p, r.createdAt),
    dateModified: localTime(p, r.modifiedAt),
    source: 'Walk-In',
    sourceID: 's-1-1',
    thirdPartyIdentifier: '',
    status: r.status,
    total: 0,
    balance: 0,
    assigned: room ? [{ ...stay, roomName: room.roomName, roomID: room.roomID }] : [],
    unassigned: room ? [] : [stay],
    startDate: r.startDate,
    endDate: r.endDate,
    origin: 'PMS',
  };
}

export function guestDetail(g: Guest) {
  return {
    firstName: g.firstName,
    lastName: g.lastName,
    gender: 'N/A',
    email: g.email,
    phone: g.phone,
    cellPhone: g.cellPhone,
    country: g.country,
    address: '',
    address2: '',
    city: '',
    zip: '',
    state: '',
    customFields: customFields(g),
    specialRequests: '',
    taxID: '',
    companyTaxID: '',
    companyName: '',
    isAnonymized: false,
    guestOptIn: false,
    isMerged: false,
    newGuestID: '',
  };
}

export function housekeepingRow(p: Property, room: Room) {
  const today = DateTime.now().setZone(p.timezone).toISODate()!;
  const occupied = [...p.reservations.values()].some((r) => r.roomID === room.roomID && r.status === 'checked_in');
  return {
    date: today,
    roomTypeID: room.roomTypeID,
    roomTypeName: room.roomTypeName,
    roomID: room.roomID,
    roomName: room.roomName,
    roomCondition: room.roomCondition,
    roomOccupied: occupied,
    roomBlocked: room.roomBlocked,
    frontdeskStatus: occupied ? 'stayover' : 'unused',
    housekeeperID: '',
    housekeeper: '',
    doNotDisturb: false,
    refusedService: false,
    vacantPickup: false,
    roomComments: '',
  };
}

export function transactionRow(p: Property, t: Transaction) {
  const r = p.reservations.get(t.reservationID);
  return {
    propertyID: p.propertyID,
    reservationID: t.reservationID,
    subReservationID: r ? subReservationID(r) : '',
    houseAccountID: null,
    guestID: r?.guestID ?? '',
    propertyName: p.name,
    transactionDateTime: localTime(p, t.postedAt),
    transactionDateTimeUTC: DateTime.fromMillis(t.postedAt, { zone: 'utc' }).toFormat('yyyy-MM-dd HH:mm:ss'),
    guestName: r ? guestName(p, r) : '',
    description: t.description,
    category: 'Custom Item',
    transactionCode: '',
    notes: t.notes,
    quantity: 1,
    amount: t.amount,
    currency: p.currency,
    userName: 'API',
    transactionType: 'debit',
    transactionCategory: t.transactionCategory,
    transactionID: t.transactionID,
    parentTransactionID: '',
    isDeleted: false,
  };
}

export function noteRow(p: Property, n: Note) {
  return { reservationNoteID: n.reservationNoteID, userName: 'API', dateCreated: localTime(p, n.createdAt), dateModified: localTime(p, n.createdAt), reservationNote: n.reservationNote };
}
