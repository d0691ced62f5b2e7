/**
 * The simulator's answer elements, built from its records as OTA 2011A and HTNG name them:
 * `HotelReservation` (OTA_ResRetrieveRS, in full or with the limited detail of a search),
 * `ProfileInfo` (OTA_ProfileReadRS), postings and folios (HTNG), rooms, and OTA `Errors`.
 */
import type { SimComment, SimPosting, SimProfile, SimReservation, SimRoom } from './model';
import { ID_CONTEXT, UIT_CUSTOMER, UIT_HOTEL, UIT_RESERVATION } from './wire';
import { el, type Tree } from './xml';

const uniqueId = (type: string, id: string): Tree => el({ Type: type, ID: id, ID_Context: ID_CONTEXT });

function personName(p: SimProfile): Tree {
  return el({}, { PersonName: el({}, { GivenName: p.givenName ? el({}, {}, p.givenName) : undefined, Surname: el({}, {}, p.surname) }) });
}

/** The guest's name, and in full detail the contacts. */
function customer(p: SimProfile, full: boolean): Tree {
  return el({ Language: full ? p.language : undefined }, {
    ...personName(p),
    Telephone: full && p.phone ? el({ PhoneTechType: '5', PhoneNumber: p.phone, DefaultInd: true }) : undefined,
    Email: full && p.email ? el({ DefaultInd: true }, {}, p.email) : undefined,
    CitizenCountryName: full && p.nationality ? el({ Code: p.nationality }) : undefined,
  });
}

function comment(c: SimComment): Tree {
  return el({ ParagraphNumber: c.id, GuestViewable: c.guestViewable, CreateDateTime: c.createdAt }, { Text: el({}, {}, c.text) });
}

/**
 * One reservation of OTA_ResRetrieveRS. A look-up by ResID gives it in full (the guest's
 * contacts, comments); a search by name or dates gives limited detail, as protel documents.
 */
export function hotelReservation(r: SimReservation, profile: SimProfile | undefined, full: boolean): Tree {
  return el({ ResStatus: r.status, CreateDateTime: r.createdAt, LastModifyDateTime: r.modifiedAt }, {
    UniqueID: uniqueId(UIT_RESERVATION, r.id),
    RoomStays: el({}, {
      RoomStay: el({}, {
        RoomTypes: el({}, { RoomType: el({ RoomTypeCode: r.roomType, RoomID: r.roomId }) }),
        GuestCounts: el({}, { GuestCount: [el({ AgeQualifyingCode: '10', Count: r.adults }), el({ AgeQualifyingCode: '8', Count: r.children })] }),
        TimeSpan: el({ Start: r.arrival, End: r.departure }),
      }),
    }),
    ResGuests: profile
      ? el({}, {
          ResGuest: el({ PrimaryIndicator: true }, {
            Profiles: el({}, { ProfileInfo: el({}, { UniqueID: uniqueId(UIT_CUSTOMER, profile.id), Profile: el({ ProfileType: '1' }, { Customer: customer(profile, full) }) }) }),
          }),
        })
      : undefined,
    ResGlobalInfo: el({}, {
      Comments: full && r.comments.length > 0 ? el({}, { Comment: r.comments.map(comment) }) : undefined,
      HotelReservationIDs: el({}, { HotelReservationID: el({ ResID_Type: UIT_HOTEL, ResID_Value: r.confirmation }) }),
    }),
  });
}

/** One profile of OTA_ProfileReadRS. */
export function profileInfo(p: SimProfile): Tree {
  return el({}, {
    UniqueID: uniqueId(UIT_CUSTOMER, p.id),
    Profile: el({ ProfileType: '1', CreateDateTime: p.createdAt, LastModifyDateTime: p.modifiedAt }, {
      Customer: customer(p, true),
      PrefCollections:
        p.preferences.length > 0 ? el({}, { PrefCollection: el({}, { HotelPref: el({}, { SpecRequestPref: p.preferences.map((t) => el({}, {}, t)) }) }) }) : undefined,
    }),
  });
}

export function posting(p: SimPosting): Tree {
  return el({
    PostingID: p.id,
    ReferenceID: p.referenceId,
    FolioID: `${p.reservationId}-${p.folioWindow}`,
    ItemID: p.itemId,
    Description: p.description,
    Quantity: p.quantity,
    Amount: p.amount,
    CurrencyCode: p.currency,
    PostingDate: p.businessDate,
    PostedDateTime: p.postedAt,
  });
}

export function room(r: SimRoom): Tree {
  return el({ RoomID: r.id, RoomTypeCode: r.roomType, Floor: r.floor, HousekeepingStatus: r.status, OccupancyStatus: r.occupied ? 'Occupied' : 'Vacant' });
}

export interface OtaProblem {
  type: string;
  code: string;
  text: string;
}

export function errors(problems: OtaProblem[]): Tree {
  return el({}, { Error: problems.map((p) => el({ Type: p.type, Code: p.code, ShortText: p.text.slice(0, 64) }, {}, p.text)) });
}

export function warnings(problems: OtaProblem[]): Tree {
  return el({}, { Warning: problems.map((p) => el({ Type: p.type, Code: p.code }, {}, p.text)) });
}
