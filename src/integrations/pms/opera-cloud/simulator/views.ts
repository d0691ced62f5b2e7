/**
 * The simulator's own OHIP 25.5 wire shapes, built from its records as the OpenAPI definitions
 * name them: `reservationInfoType` (search rows), `hotelReservationType` (one reservation),
 * `profile`, `summaryPostingType`, `folio`, housekeeping `roomType`, and `exceptionDetailType` for
 * errors. Written from the specs, never from Relay's adapter.
 */
import type { SimCommentRecord, SimPostingRecord, SimProfileRecord, SimReservationRecord, SimRoomRecord } from './model';

type Json = Record<string, unknown>;

/** Leaves out what is null or undefined, as OPERA omits empty elements. */
function compact(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== null));
}

export function reservationIds(r: SimReservationRecord): Json[] {
  return [
    { id: r.id, type: 'Reservation' },
    { id: r.confirmation, type: 'Confirmation' },
  ];
}

/** A row of `getHotelReservations` (`reservationInfoType`). */
export function reservationInfo(r: SimReservationRecord, profile: SimProfileRecord | undefined, computed: string): Json {
  return compact({
    reservationIdList: reservationIds(r),
    roomStay: compact({ arrivalDate: r.arrival, departureDate: r.departure, adultCount: r.adults, childCount: r.children, roomType: r.roomType, roomId: r.roomId, ratePlanCode: 'BAR' }),
    reservationGuest: profile
      ? compact({
          id: profile.id,
          type: 'Profile',
          givenName: profile.givenName,
          surname: profile.surname,
          email: profile.email,
          phoneNumber: profile.phone,
          language: profile.language,
          nationality: profile.nationality ? { code: profile.nationality } : null,
        })
      : null,
    hotelId: r.hotelCode,
    reservationStatus: r.status,
    computedReservationStatus: computed,
    createDateTime: r.createdAt,
    lastModifyDateTime: r.modifiedAt,
  });
}

export function comment(c: SimCommentRecord, hotelCode: string): Json {
  return {
    comment: { text: { value: c.text }, commentTitle: c.title, type: c.type, internal: c.internal, hotelId: hotelCode, createDateTime: c.createdAt },
    id: c.id,
    type: 'Comment',
  };
}

/** One reservation as `getReservation` and `putReservation` answer it (`hotelReservationType`). */
export function hotelReservation(r: SimReservationRecord, profile: SimProfileRecord | undefined, computed: string, withComments: boolean): Json {
  return compact({
    reservationIdList: reservationIds(r),
    roomStay: compact({
      guestCounts: { adults: r.adults, children: r.children },
      arrivalDate: r.arrival,
      departureDate: r.departure,
      currentRoomInfo: compact({ roomType: r.roomType, roomId: r.roomId }),
    }),
    reservationGuests: [
      {
        profileInfo: {
          profileIdList: [{ id: r.profileId, type: 'Profile' }],
          profile: profile ? { customer: { personName: [compact({ givenName: profile.givenName, surname: profile.surname, nameType: 'Primary' })] }, profileType: 'Guest' } : undefined,
        },
        primary: true,
      },
    ],
    comments: withComments ? r.comments.map((c) => comment(c, r.hotelCode)) : undefined,
    hotelId: r.hotelCode,
    roomStayReservation: true,
    reservationStatus: r.status,
    computedReservationStatus: computed,
    createDateTime: r.createdAt,
    lastModifyDateTime: r.modifiedAt,
  });
}

export interface ProfileSections {
  communication: boolean;
  preferences: boolean;
}

/** `profile` of crm: the customer always, phones and e-mails with `Communication`, preferences with `Preference`. */
export function profile(p: SimProfileRecord, sections: ProfileSections): Json {
  const details = compact({
    customer: compact({
      personName: [compact({ givenName: p.givenName, surname: p.surname, nameType: 'Primary' })],
      language: p.language,
      nationality: p.nationality,
    }),
    telephones: sections.communication
      ? {
          telephoneInfo: p.phone ? [{ telephone: { phoneTechType: 'MOBILE', phoneUseType: 'HOME', phoneNumber: p.phone, primaryInd: true, orderSequence: 1 }, id: p.phoneId, type: 'Telephone' }] : [],
        }
      : undefined,
    emails: sections.communication
      ? { emailInfo: p.email ? [{ email: { emailAddress: p.email, type: 'EMAIL', primaryInd: true, orderSequence: 1 }, id: p.emailId, type: 'Email' }] : [] }
      : undefined,
    preferenceCollection: sections.preferences
      ? {
          preferenceType: groupPreferences(p).map(([type, list]) => ({
            preference: list.map((x) => ({ preferenceValue: x.code, description: x.description, preferenceCode: x.code })),
            preferenceType: type,
          })),
        }
      : undefined,
    privacyInfo: p.optInSms === null ? undefined : { optInSms: p.optInSms, allowSMS: p.optInSms },
    profileType: 'Guest',
    statusCode: 'Active',
    createDateTime: p.createdAt,
    lastModifyDateTime: p.modifiedAt,
  });
  return { profileIdList: [{ id: p.id, type: 'Profile' }], profileDetails: details };
}

function groupPreferences(p: SimProfileRecord): Array<[string, SimProfileRecord['preferences']]> {
  const groups = new Map<string, SimProfileRecord['preferences']>();
  for (const pref of p.preferences) groups.set(pref.type, [...(groups.get(pref.type) ?? []), pref]);
  return [...groups];
}

/** A posting (`summaryPostingType`). */
export function posting(p: SimPostingRecord): Json {
  return compact({
    transactionNo: p.transactionNo,
    transactionCode: p.transactionCode,
    transactionType: 'Revenue',
    transactionAmount: p.amount * p.quantity,
    price: { amount: p.amount, currencyCode: p.currency },
    postedAmount: { amount: p.amount * p.quantity, currencyCode: p.currency },
    quantity: p.quantity,
    reference: p.reference,
    remark: p.remark,
    folioWindowNo: p.folioWindowNo,
    transactionDate: p.businessDate,
    postingDate: p.businessDate,
    postingTime: { time: p.postedAt },
  });
}

/** One folio window and a page of its postings, with the window's paging attributes. */
export function folioWindow(windowNo: number, all: SimPostingRecord[], page: SimPostingRecord[], offset: number, limit: number, currency: string): Json {
  const balance = all.reduce((sum, p) => sum + p.amount * p.quantity, 0);
  return {
    balance: { amount: Math.round(balance * 100) / 100, currencyCode: currency },
    folios: page.length > 0 ? [{ postings: page.map(posting), folioNo: windowNo }] : [],
    folioWindowNo: windowNo,
    emptyFolio: all.length === 0,
    offset,
    limit,
    hasMore: page.length > 0 && offset + page.length < all.length,
    totalResults: all.length,
    count: page.length,
  };
}

/** A room of the housekeeping overview (hsk `roomType`). */
export function housekeepingRoom(room: SimRoomRecord): Json {
  return {
    roomType: { roomType: room.roomType, roomClass: 'ALL', pseudoRoom: false },
    floor: room.floor,
    roomId: room.id,
    housekeeping: {
      housekeepingRoomStatus: {
        housekeepingRoomStatus: room.status,
        frontOfficeStatus: room.occupied ? 'Occupied' : 'Vacant',
        housekeepingStatus: room.occupied ? 'Occupied' : 'Vacant',
      },
    },
  };
}

/** Paging attributes of a collection answer. */
export function pagingFields(offset: number, limit: number, count: number, total: number): Json {
  return { totalPages: limit > 0 ? Math.ceil(total / limit) : 0, offset, limit, hasMore: offset + count < total, totalResults: total, count };
}

/** OHIP's error body (`exceptionDetailType`): `type` and `title` required. */
export function problem(status: number, title: string, detail: string, instance: string, errorCode?: string): Json {
  return compact({
    type: `https://www.rfc-editor.org/rfc/rfc9110.html#status.${status}`,
    title,
    status,
    detail,
    instance,
    'o:errorCode': errorCode,
  });
}
